"""build_context: manifests, install- and import-time files, expected binaries."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from stockade.analysis.context import (
    build_context,
    command_files,
    export_targets,
    native_npm_name,
    needs,
    parse_core_metadata,
)
from stockade.analysis.model import Phase
from tests.analysis.generic.helpers import archive, elf, fixture


def _npm(manifest: Mapping[str, object], **files: str | bytes) -> dict[str, str | bytes]:
    return {"package.json": json.dumps(manifest), **files}


class TestCommandFiles:
    @pytest.mark.parametrize(
        ("command", "expected"),
        [
            ("node scripts/install.js", ["scripts/install.js"]),
            ("node ./x.js && sh x.sh; bash y", ["./x.js", "x.sh", "y"]),
            ("./configure.sh", ["./configure.sh"]),
            ("FOO=1 node --no-warnings lib/post.js", ["lib/post.js"]),
            ("cross-env NODE_ENV=production node build/setup", ["build/setup"]),
            ('bash -c "curl -s https://example.org | sh && node a.js"', ["a.js"]),
            ("node --require ./hook.js main.js", ["./hook.js", "main.js"]),
            ("node x.js > install.log 2>&1", ["x.js"]),
            ("python3 tools/gen.py --fast", ["tools/gen.py"]),
        ],
    )
    def test_files_run(self, command: str, expected: list[str]) -> None:
        assert command_files(command) == expected

    @pytest.mark.parametrize(
        "command",
        [
            "node -e \"require('./x')\"",
            "node-gyp rebuild",
            "prebuild-install || node-gyp rebuild",
            "husky install",
            "python -m build",
            "echo done",
        ],
    )
    def test_inline_and_tools_name_no_file(self, command: str) -> None:
        assert command_files(command) == []

    def test_npm_run_follows_the_script(self) -> None:
        scripts = {"postinstall": "npm run setup", "setup": "node tools/setup.js"}
        assert command_files(scripts["postinstall"], scripts) == ["tools/setup.js"]

    def test_npm_run_loops_end(self) -> None:
        scripts = {"a": "npm run b", "b": "npm run a"}
        assert command_files("npm run a", scripts) == []

    def test_unbalanced_quotes_do_not_raise(self) -> None:
        assert command_files('node "lib/x.js') == ['"lib/x.js']


class TestNpm:
    def test_realistic_manifest(self) -> None:
        files = {
            "package.json": fixture("npm", "package.json"),
            "scripts/install.js": fixture("scripts", "install.js"),
            "scripts/copy-assets.js": "// copies assets\n",
            "lib/index.js": "module.exports = {};\n",
            "lib/theme.js": "module.exports = {};\n",
            "esm/index.mjs": "export default {};\n",
            "esm/theme.mjs": "export default {};\n",
            "bin/widget.js": "#!/usr/bin/env node\n",
        }
        package = build_context(archive(files, filename="acme-widget-toolkit-2.4.1.tgz"))
        assert package.ecosystem == "npm"
        assert package.name == "@acme/widget-toolkit"
        assert package.version == "2.4.1"
        assert package.manifest["main"] == "lib/index.js"
        # postinstall runs scripts/install.js; prepare runs `npm run build` → copy-assets.js.
        assert package.install_files == {"scripts/install.js", "scripts/copy-assets.js"}
        assert package.import_files == {
            "lib/index.js",
            "esm/index.mjs",
            "esm/theme.mjs",
            "lib/theme.js",
        }
        assert package.phase_of("scripts/install.js") is Phase.INSTALL
        assert package.phase_of("lib/index.js") is Phase.IMPORT
        assert package.phase_of("bin/widget.js") is Phase.RUNTIME  # bins run on demand
        assert package.binaries_expected is False

    def test_main_defaults_to_index_and_resolves_like_node(self) -> None:
        files = _npm({"name": "a", "version": "1.0.0"}, **{"index.js": "1"})
        assert build_context(archive(files)).import_files == {"index.js"}
        files = _npm({"name": "a", "version": "1.0.0", "main": "./lib"}, **{"lib/index.js": "1"})
        assert build_context(archive(files)).import_files == {"lib/index.js"}
        files = _npm({"name": "a", "version": "1.0.0", "main": "dist/a"}, **{"dist/a.cjs": "1"})
        assert build_context(archive(files)).import_files == {"dist/a.cjs"}

    def test_paths_outside_the_package_are_dropped(self) -> None:
        manifest = {"name": "a", "version": "1.0.0", "scripts": {"install": "node ../../x.js"}}
        assert build_context(archive(_npm(manifest))).install_files == frozenset()

    def test_binding_gyp_without_install_script_runs_node_gyp(self) -> None:
        files = _npm({"name": "addon", "version": "1.0.0"}, **{"binding.gyp": "{}"})
        package = build_context(archive(files))
        assert "binding.gyp" in package.install_files
        assert package.binaries_expected is True

    def test_explicit_install_script_replaces_node_gyp(self) -> None:
        manifest = {"name": "a", "version": "1", "scripts": {"install": "prebuild-install"}}
        package = build_context(archive(_npm(manifest, **{"binding.gyp": "{}"})))
        assert "binding.gyp" not in package.install_files
        assert package.binaries_expected is True

    @pytest.mark.parametrize(
        "manifest_extra",
        [
            {"gypfile": True},
            {"os": ["linux"], "cpu": ["x64"]},
            {"scripts": {"install": "node-gyp-build"}},
            {"binary": {"module_name": "x", "host": "https://example.org"}},
        ],
    )
    def test_native_markers(self, manifest_extra: dict[str, object]) -> None:
        files = _npm({"name": "native-thing", "version": "1.0.0", **manifest_extra})
        assert build_context(archive(files)).binaries_expected is True

    def test_prebuilds_folder(self) -> None:
        files = _npm(
            {"name": "watcher", "version": "1.0.0"},
            **{"prebuilds/linux-x64/node.napi.node": elf()},
        )
        assert build_context(archive(files)).binaries_expected is True

    @pytest.mark.parametrize(
        "name",
        [
            "@esbuild/linux-x64",
            "@esbuild/darwin-arm64",
            "@swc/core-linux-x64-gnu",
            "@img/sharp-win32-x64",
            "@rollup/rollup-linux-arm64-musl",
            "turbo-linux-64",
            "@biomejs/cli-darwin-arm64",
            "lightningcss-linux-x64-musl",
        ],
    )
    def test_platform_package_names(self, name: str) -> None:
        assert native_npm_name(name)

    @pytest.mark.parametrize("name", ["lodash", "esbuild", "linux", "windows-path", "@acme/x64"])
    def test_ordinary_names(self, name: str) -> None:
        assert not native_npm_name(name)

    def test_exports_targets(self) -> None:
        exports = {
            ".": [{"import": "./a.mjs"}, "./a.cjs"],
            "./sub": {"types": "./sub.d.ts", "default": "./sub.js"},
            "./feature/*": "./feature/*.js",
            "./internal": None,
        }
        assert export_targets(exports) == ["./a.mjs", "./a.cjs", "./sub.d.ts", "./sub.js"]
        assert export_targets("./index.js") == ["./index.js"]

    def test_invalid_package_json(self) -> None:
        package = build_context(archive({"package.json": "{not json", "index.js": "1"}))
        assert package.ecosystem == "npm"
        assert package.manifest == {}
        assert package.name is None

    def test_given_values_win(self) -> None:
        files = _npm({"name": "a", "version": "1.0.0"})
        package = build_context(
            archive(files), ecosystem="NPM", name="b", version="2.0.0", registry={"name": "b"}
        )
        assert (package.ecosystem, package.name, package.version) == ("npm", "b", "2.0.0")
        assert package.registry == {"name": "b"}


class TestSdist:
    def test_pkg_info_fields(self) -> None:
        fields = parse_core_metadata(fixture("sdist", "PKG-INFO").decode())
        assert fields["name"] == "fancy_requests"
        assert fields["version"] == "1.8.0"
        assert fields["requires-dist"][0] == "urllib3<3,>=1.26"
        assert len(fields["requires-dist"]) == 4
        assert fields["classifier"][1] == "Programming Language :: Python :: 3"
        assert fields["project-url"] == [
            "Documentation, https://example.org/fancy-requests/docs",
            "Source, https://example.org/fancy-requests/src",
        ]
        assert fields["license-file"] == ["LICENSE"]
        assert fields["description"].startswith("# fancy-requests")

    def test_install_and_import_files(self) -> None:
        files = {
            "PKG-INFO": fixture("sdist", "PKG-INFO"),
            "setup.py": "import versioneer\nfrom setuptools import setup\nsetup()\n",
            "versioneer.py": "# version helper\n",
            "src/fancy_requests/__init__.py": "",
            "src/fancy_requests/adapters/__init__.py": "",
            "src/fancy_requests/api.py": "",
            "src/fancy_compat.py": "",
            "google/cloud/fancy/__init__.py": "",
            "tests/__init__.py": "",
            "tests/test_api.py": "",
            "docs/conf.py": "",
            "conftest.py": "",
            "fancy_requests-nspkg.pth": "import sys\n",
        }
        package = build_context(archive(files, fmt="sdist"))
        assert package.ecosystem == "PyPI"
        assert package.name == "fancy_requests"
        assert package.install_files == {"setup.py", "versioneer.py"}
        assert package.import_files == {
            "src/fancy_requests/__init__.py",
            "src/fancy_compat.py",
            "google/cloud/fancy/__init__.py",
            "fancy_requests-nspkg.pth",
        }
        assert package.binaries_expected is False

    def test_in_tree_build_backend(self) -> None:
        pyproject = (
            '[build-system]\nrequires = []\nbuild-backend = "backend.hooks:build"\n'
            'backend-path = ["_build"]\n'
        )
        files = {
            "PKG-INFO": "Name: x\nVersion: 1\n",
            "pyproject.toml": pyproject,
            "_build/backend/__init__.py": "",
            "_build/backend/hooks.py": "def build(): ...\n",
        }
        package = build_context(archive(files, fmt="sdist"))
        assert package.install_files == {"_build/backend/__init__.py", "_build/backend/hooks.py"}

    def test_broken_pyproject_is_ignored(self) -> None:
        files = {"PKG-INFO": "Name: x\nVersion: 1\n", "pyproject.toml": "[build-system"}
        assert build_context(archive(files, fmt="sdist")).install_files == frozenset()

    @pytest.mark.parametrize(
        "source", ["src/_speedups.c", "ext/grid.pyx", "rust/Cargo.toml", "native/binding.gyp"]
    )
    def test_native_sources_expect_binaries(self, source: str) -> None:
        files = {"PKG-INFO": "Name: x\nVersion: 1\n", "setup.py": "", source: ""}
        assert build_context(archive(files, fmt="sdist")).binaries_expected is True


class TestWheel:
    def _files(self, wheel_file: bytes) -> dict[str, str | bytes]:
        return {
            "fastgrid/__init__.py": "from ._kernels import *\n",
            "fastgrid/_kernels.cpython-312-x86_64-linux-gnu.so": elf(),
            "fastgrid/sub/__init__.py": "",
            "fastgrid_helpers.py": "",
            "fastgrid-0.9.2.data/purelib/fastgrid_extra/__init__.py": "",
            "fastgrid-0.9.2.dist-info/METADATA": fixture("wheel", "METADATA"),
            "fastgrid-0.9.2.dist-info/WHEEL": wheel_file,
            "fastgrid-0.9.2.dist-info/top_level.txt": "fastgrid\n",
            "fastgrid-0.9.2.dist-info/RECORD": "",
            "distutils-precedence.pth": "import os\n",
        }

    def test_platform_wheel(self) -> None:
        filename = "fastgrid-0.9.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        package = build_context(
            archive(self._files(fixture("wheel", "WHEEL")), fmt="wheel", filename=filename)
        )
        assert package.ecosystem == "PyPI"
        assert (package.name, package.version) == ("fastgrid", "0.9.2")
        assert package.manifest["requires-dist"] == [
            "numpy>=1.24",
            'typing-extensions>=4.5; python_version < "3.11"',
        ]
        assert package.install_files == frozenset()
        assert package.import_files == {
            "fastgrid/__init__.py",
            "fastgrid_helpers.py",
            "fastgrid-0.9.2.data/purelib/fastgrid_extra/__init__.py",
            "distutils-precedence.pth",
        }
        assert package.binaries_expected is True

    def test_tag_from_wheel_file_when_the_name_is_unusual(self) -> None:
        files = self._files(fixture("wheel", "WHEEL"))
        package = build_context(archive(files, fmt="wheel", filename="download.whl"))
        assert package.binaries_expected is True

    @pytest.mark.parametrize(
        "filename", ["six-1.17.0-py2.py3-none-any.whl", "fastgrid-0.9.2-py3-none-any.whl"]
    )
    def test_pure_wheel(self, filename: str) -> None:
        wheel = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        package = build_context(archive(self._files(wheel), fmt="wheel", filename=filename))
        assert package.binaries_expected is False


def test_unknown_archive() -> None:
    package = build_context(archive({"data.csv": "a,b\n"}, fmt="archive"))
    assert package.ecosystem is None
    assert package.install_files == frozenset()


def test_ecosystem_guessed_from_files_of_an_unknown_archive() -> None:
    assert build_context(archive({"setup.py": ""}, fmt="archive")).ecosystem == "PyPI"
    files = {"package.json": '{"name": "a"}'}
    assert build_context(archive(files, fmt="archive")).ecosystem == "npm"


@pytest.mark.parametrize(
    ("relpath", "wanted"),
    [
        ("package.json", True),
        ("PKG-INFO", True),
        ("pyproject.toml", True),
        ("x-1.0.dist-info/METADATA", True),
        ("x-1.0.dist-info/WHEEL", True),
        ("lib/package.json", False),
        ("x-1.0.dist-info/RECORD", False),
        ("setup.py", False),
    ],
)
def test_needs(relpath: str, wanted: bool) -> None:
    assert needs(relpath) is wanted
