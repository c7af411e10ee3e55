"""Reports built by hand for the format tests: a realistic one and a clean one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding, FindingKind, Ignore, Severity

ROOT = "project"

REQUESTS_VULN = Finding(
    id="GHSA-j8r2-6x86-q33q",
    aliases=("CVE-2023-32681", "PYSEC-2023-74"),
    kind=FindingKind.VULNERABILITY,
    summary="Unintended leak of Proxy-Authorization header in requests | with *pipes*",
    severity=Severity.MEDIUM,
    score=6.1,
    cvss_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    fixed_versions=("2.31.0",),
    url="https://github.com/advisories/GHSA-j8r2-6x86-q33q",
)
URLLIB3_VULN = Finding(
    id="PYSEC-2021-108",
    aliases=("CVE-2021-33503", "GHSA-q2q7-5pp4-w6pg"),
    kind=FindingKind.VULNERABILITY,
    summary="Catastrophic backtracking in URL authority parser",
    severity=Severity.HIGH,
    score=7.5,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    fixed_versions=("1.26.5",),
)
URLLIB3_IGNORED = Finding(
    id="GHSA-v845-jxx5-vc9f",
    aliases=("CVE-2023-43804",),
    kind=FindingKind.VULNERABILITY,
    summary="Cookie request header isn't stripped during cross-origin redirects",
    severity=Severity.HIGH,
    fixed_versions=("1.26.17", "2.0.6"),
    ignored=Ignore(
        id="CVE-2023-43804",
        reason="we never send cookies through urllib3",
        expires=date(2030, 1, 31),
    ),
)
PYTEST_VULN = Finding(
    id="GHSA-w596-4wvx-j9j6",
    aliases=(),
    kind=FindingKind.VULNERABILITY,
    summary="ReDoS in py library when used with subversion",
    severity=Severity.LOW,
    score=3.7,
    cvss_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N",
)
LODASH_VULN = Finding(
    id="GHSA-35jh-r3h4-6jhm",
    aliases=("CVE-2021-23337",),
    kind=FindingKind.VULNERABILITY,
    summary="Command Injection in lodash",
    severity=Severity.CRITICAL,
    score=9.1,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
    fixed_versions=("4.17.21",),
    url="https://github.com/advisories/GHSA-35jh-r3h4-6jhm",
)
MALICIOUS = Finding(
    id="MAL-2024-1234",
    aliases=(),
    kind=FindingKind.MALICIOUS,
    summary="Malicious code in evil-colors (npm)",
    severity=Severity.CRITICAL,
)
UNKNOWN_SEV = Finding(
    id="GHSA-aaaa-bbbb-cccc",
    aliases=(),
    kind=FindingKind.VULNERABILITY,
    summary="Prototype pollution in <mixin> [deep]",
    severity=Severity.UNKNOWN,
)


def full() -> Report:
    """Several packages in both ecosystems with every kind of finding."""
    pkgs = [
        PackageReport(
            ecosystem="npm",
            name="@scope/widget",
            version="1.0.0",
            purl="pkg:npm/%40scope/widget@1.0.0",
            direct=True,
            scopes=("prod",),
            locations=("package-lock.json:12",),
        ),
        PackageReport(
            ecosystem="npm",
            name="evil-colors",
            version="1.4.1",
            purl="pkg:npm/evil-colors@1.4.1",
            direct=False,
            scopes=("prod",),
            via=("@scope/widget@1.0.0",),
            locations=("package-lock.json:40",),
            findings=(MALICIOUS,),
        ),
        PackageReport(
            ecosystem="npm",
            name="lodash",
            version="4.17.20",
            purl="pkg:npm/lodash@4.17.20",
            direct=False,
            scopes=("prod",),
            via=("@scope/widget@1.0.0", "evil-colors@1.4.1"),
            locations=("package-lock.json:88",),
            findings=(LODASH_VULN, UNKNOWN_SEV),
        ),
        PackageReport(
            ecosystem="npm",
            name="left-pad",
            version=None,
            purl="pkg:npm/left-pad",
            direct=True,
            scopes=("dev",),
            locations=("package.json:9",),
            resolution="unresolved",
            spec="^9.0.0",
            error="no version of left-pad matches ^9.0.0",
        ),
        PackageReport(
            ecosystem="PyPI",
            name="pytest",
            version="7.0.0",
            purl="pkg:pypi/pytest@7.0.0",
            direct=True,
            scopes=("dev",),
            locations=("requirements-dev.txt:1",),
            resolution="pinned",
            findings=(PYTEST_VULN,),
        ),
        PackageReport(
            ecosystem="PyPI",
            name="requests",
            version="2.25.0",
            purl="pkg:pypi/requests@2.25.0",
            direct=True,
            scopes=("prod",),
            locations=("requirements.txt:3",),
            resolution="resolved",
            spec=">=2.20",
            findings=(REQUESTS_VULN,),
        ),
        PackageReport(
            ecosystem="PyPI",
            name="urllib3",
            version="1.26.4",
            purl="pkg:pypi/urllib3@1.26.4",
            direct=False,
            scopes=("prod",),
            via=("requests@2.25.0",),
            locations=("requirements.txt",),
            findings=(URLLIB3_VULN, URLLIB3_IGNORED),
        ),
    ]
    return Report(
        root=ROOT,
        packages=pkgs,
        manifests=[
            "package-lock.json",
            "package.json",
            "requirements.txt",
            "requirements-dev.txt",
        ],
        sources=["local OSV database (12,718 records)"],
        notices=["the OSV API could not be reached; only the local database was consulted"],
        generated_at=datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
        tool_version="0.1.0",
    )


def empty() -> Report:
    """A clean project: packages but no findings."""
    return Report(
        root=ROOT,
        packages=[
            PackageReport(
                ecosystem="PyPI",
                name="attrs",
                version="23.2.0",
                purl="pkg:pypi/attrs@23.2.0",
                direct=True,
                scopes=("prod",),
                locations=("requirements.txt:1",),
            )
        ],
        manifests=["requirements.txt"],
        sources=["OSV API"],
        generated_at=datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
        tool_version="0.1.0",
    )


ALL_FINDINGS = (
    REQUESTS_VULN,
    URLLIB3_VULN,
    URLLIB3_IGNORED,
    PYTEST_VULN,
    LODASH_VULN,
    MALICIOUS,
    UNKNOWN_SEV,
)
