"""The rules of the Python analyser: one registration per rule id (prefix ``py-``).

Capability rules describe what code can do and are normal in isolation; threat rules describe
what malware does and ordinary packages do not. Several behaviours have both: a capability rule
for code that runs only when called, and an ``-autorun`` threat rule for the same behaviour in
code that runs by itself at install or import time.
"""

from __future__ import annotations

from stockade.analysis.model import Category, Confidence, Kind, RuleInfo, Severity

_C = Kind.CAPABILITY
_T = Kind.THREAT


def _rule(
    rule_id: str,
    category: Category,
    severity: Severity,
    confidence: Confidence,
    kind: Kind,
    description: str,
) -> RuleInfo:
    return RuleInfo(rule_id, category, severity, confidence, kind, description)


RULES: list[RuleInfo] = [
    # Install hooks and files that run by themselves.
    _rule(
        "py-install-hook",
        Category.INSTALL_HOOK,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "setup.py overrides a setuptools command (install, develop, egg_info ...) with its own "
        "run(), so custom code runs when the package is installed.",
    ),
    _rule(
        "py-build-backend",
        Category.INSTALL_HOOK,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "pyproject.toml builds the package with a backend shipped inside the archive, so that "
        "code runs when the package is built or installed.",
    ),
    _rule(
        "py-pth-import",
        Category.INSTALL_HOOK,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "A .pth file holds import lines, which Python runs at every interpreter start.",
    ),
    _rule(
        "py-pth-exec",
        Category.INSTALL_HOOK,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "A .pth file runs code beyond path setup (exec, processes, network, decoding) at every "
        "interpreter start, a persistence technique of malware.",
    ),
    _rule(
        "py-install-script-invalid",
        Category.INSTALL_HOOK,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "A file that runs at install time is named .py but is not valid Python, which hides "
        "what it does from review.",
    ),
    # Analysis notes.
    _rule(
        "py-syntax-error",
        Category.ARCHIVE,
        Severity.INFO,
        Confidence.HIGH,
        _C,
        "A Python file could not be parsed (old syntax or not Python) and was not analysed.",
    ),
    _rule(
        "py-analysis-budget",
        Category.ARCHIVE,
        Severity.INFO,
        Confidence.HIGH,
        _C,
        "The package holds more Python source than one analysis covers, so some files that "
        "name risky calls were only triaged (searched for tokens), not parsed.",
    ),
    _rule(
        "py-file-truncated",
        Category.ARCHIVE,
        Severity.INFO,
        Confidence.HIGH,
        _C,
        "A Python file is larger than the analysis limit and only its beginning was analysed.",
    ),
    # Dynamic execution.
    _rule(
        "py-exec-decoded",
        Category.EXECUTION,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "exec/eval/compile (or unpickling) runs code that was decoded, decompressed, "
        "unmarshalled, assembled from character codes or downloaded, the loader of most "
        "obfuscated malware.",
    ),
    _rule(
        "py-exec-dynamic",
        Category.EXECUTION,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "exec/eval runs code that is not a literal in the file, so what runs cannot be read "
        "from the source.",
    ),
    _rule(
        "py-unpickle-data",
        Category.EXECUTION,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "pickle/marshal loads data embedded in the code or fetched from the network; "
        "unpickling can run arbitrary code.",
    ),
    # Processes.
    _rule(
        "py-process",
        Category.PROCESS,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "The code starts a process or shell (subprocess, os.system, os.exec*, pty.spawn).",
    ),
    _rule(
        "py-process-hidden",
        Category.PROCESS,
        Severity.HIGH,
        Confidence.MEDIUM,
        _T,
        "A process is started hidden or detached (no window, new session, nohup, background "
        "shell, pythonw, hidden PowerShell) from code that runs at install or import time, or "
        "with a hidden-window PowerShell/mshta command anywhere.",
    ),
    _rule(
        "py-shell-download-exec",
        Category.PROCESS,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "A shell command downloads and runs a payload (curl | sh, wget && chmod +x, "
        "PowerShell DownloadString/iex, certutil, mshta).",
    ),
    _rule(
        "py-reverse-shell",
        Category.PROCESS,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "A shell is wired to a network socket (dup2 of a socket onto stdin/stdout, /dev/tcp, "
        "nc -e), giving a remote attacker a command line.",
    ),
    # Network and exfiltration.
    _rule(
        "py-network",
        Category.NETWORK,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "The code makes network requests (HTTP, sockets, DNS, FTP, SMTP).",
    ),
    _rule(
        "py-exfil-endpoint",
        Category.EXFILTRATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "A string names an endpoint that receives stolen data (Discord/Telegram/Slack "
        "webhook, request bin, paste site, tunnel, raw public IP address).",
    ),
    _rule(
        "py-suspicious-url",
        Category.EXFILTRATION,
        Severity.LOW,
        Confidence.LOW,
        _C,
        "A string names a URL shortener, a domain under a TLD common in malware campaigns, or a "
        "webhook-style endpoint in a template or test.",
    ),
    _rule(
        "py-exfil-data",
        Category.EXFILTRATION,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "Secrets (credential files, the whole environment, or at install/import time secret "
        "variables and host fingerprints) flow into a network request.",
    ),
    # Credentials.
    _rule(
        "py-credential-path",
        Category.CREDENTIALS,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _C,
        "The code accesses a file that holds secrets (SSH keys, cloud credentials, browser "
        "profiles, wallets, keyrings, token stores).",
    ),
    _rule(
        "py-credential-autorun",
        Category.CREDENTIALS,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code that runs at install or import time reads a file that holds secrets (SSH keys, "
        "cloud credentials, browser profiles, wallets, token stores).",
    ),
    _rule(
        "py-env-harvest",
        Category.CREDENTIALS,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "The whole environment (os.environ) is serialised or iterated, the first step of "
        "environment-stealing malware.",
    ),
    _rule(
        "py-secret-env",
        Category.CREDENTIALS,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "The code reads an environment variable whose name says it holds a secret "
        "(token, password, cloud key).",
    ),
    _rule(
        "py-fingerprint",
        Category.CREDENTIALS,
        Severity.INFO,
        Confidence.MEDIUM,
        _C,
        "Code that runs at install or import time collects the user name, host name or machine "
        "id, which reconnaissance malware sends home.",
    ),
    # Files.
    _rule(
        "py-drop-executable",
        Category.FILESYSTEM,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "The code writes downloaded or decoded data to a file and makes it executable or runs "
        "it, or writes and runs a program at install or import time.",
    ),
    # Persistence.
    _rule(
        "py-persistence",
        Category.PERSISTENCE,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _C,
        "The code writes an autostart entry (Startup folder, Run key, LaunchAgent, systemd "
        "user unit, XDG autostart, crontab) or appends to a shell start-up file.",
    ),
    _rule(
        "py-persistence-autorun",
        Category.PERSISTENCE,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code that runs at install or import time installs an autostart entry, a cron job or "
        "a shell start-up file change, so that it survives the package.",
    ),
    # Surveillance.
    _rule(
        "py-clipboard",
        Category.SURVEILLANCE,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "The code reads the clipboard.",
    ),
    _rule(
        "py-clipboard-hijack",
        Category.SURVEILLANCE,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "The code reads the clipboard, matches cryptocurrency addresses and writes the "
        "clipboard back, the behaviour of clipper malware that swaps wallet addresses.",
    ),
    _rule(
        "py-keylogger",
        Category.SURVEILLANCE,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _C,
        "The code hooks or polls the keyboard (pynput listeners, keyboard hooks, "
        "GetAsyncKeyState, SetWindowsHookEx).",
    ),
    _rule(
        "py-screenshot",
        Category.SURVEILLANCE,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "The code captures the screen (PIL.ImageGrab, mss, pyautogui.screenshot).",
    ),
    _rule(
        "py-surveillance-autorun",
        Category.SURVEILLANCE,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code that runs at install or import time reads the clipboard, logs keys or takes "
        "screenshots.",
    ),
    # Mining.
    _rule(
        "py-miner",
        Category.CRYPTOMINING,
        Severity.HIGH,
        Confidence.MEDIUM,
        _T,
        "A string names crypto-mining software or a mining pool (xmrig, stratum+tcp://, "
        "pool hosts).",
    ),
    # Obfuscation.
    _rule(
        "py-long-line",
        Category.OBFUSCATION,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "A line holds thousands of characters of code (not a data table), a sign of "
        "minified or packed code.",
    ),
    _rule(
        "py-encoded-blob",
        Category.OBFUSCATION,
        Severity.LOW,
        Confidence.LOW,
        _C,
        "A long high-entropy string literal looks like an encoded payload (base64, hex, "
        "compressed bytes).",
    ),
    _rule(
        "py-obfuscated-identifiers",
        Category.OBFUSCATION,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _T,
        "The file is full of machine-made identifiers (_0x1f2e, O0O0O0, lIlIlI), the output "
        "of code obfuscators.",
    ),
    _rule(
        "py-pyarmor",
        Category.OBFUSCATION,
        Severity.MEDIUM,
        Confidence.HIGH,
        _C,
        "The code is packed with PyArmor, so what it does cannot be reviewed.",
    ),
    _rule(
        "py-packed-install",
        Category.OBFUSCATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code that runs at install time is packed with PyArmor or a similar protector, hiding "
        "what the installation does.",
    ),
    _rule(
        "py-dynamic-import",
        Category.OBFUSCATION,
        Severity.INFO,
        Confidence.MEDIUM,
        _C,
        "Code that runs at install or import time imports modules or looks up functions by "
        "names computed at run time.",
    ),
    _rule(
        "py-obfuscated-name",
        Category.OBFUSCATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "A module or function name is hidden by concatenation, reversal, character codes or "
        "decoding before __import__/getattr/globals() looks it up.",
    ),
    _rule(
        "py-pyc-shipped",
        Category.OBFUSCATION,
        Severity.MEDIUM,
        Confidence.HIGH,
        _C,
        "Compiled bytecode (.pyc) is shipped in a source distribution, code that cannot be "
        "reviewed and may differ from the sources.",
    ),
]
"""Every rule of the Python analyser."""

RULES_BY_ID: dict[str, RuleInfo] = {rule.id: rule for rule in RULES}
"""The rules by id."""
