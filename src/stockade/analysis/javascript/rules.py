"""The rules of the JavaScript analyser: one registration each, referenced by id."""

from __future__ import annotations

from stockade.analysis.model import Category, Confidence, Kind, RuleInfo, Severity

_C = Kind.CAPABILITY
_T = Kind.THREAT

RULES: list[RuleInfo] = [
    # npm lifecycle scripts and shell commands
    RuleInfo(
        "js-install-script",
        Category.INSTALL_HOOK,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "An npm lifecycle script (preinstall, install, postinstall, prepare, uninstall) runs a "
        "command when the package is installed.",
    ),
    RuleInfo(
        "js-shell-download-exec",
        Category.PROCESS,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "A shell command downloads a file or script and runs it (curl | sh, wget then chmod and "
        "run, PowerShell IEX of a download).",
    ),
    RuleInfo(
        "js-shell-reverse-shell",
        Category.PROCESS,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "A shell command opens a reverse shell (/dev/tcp, nc -e, interactive shell over a socket).",
    ),
    RuleInfo(
        "js-shell-encoded",
        Category.OBFUSCATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "A command is hidden in an encoded blob and decoded to run (base64 -d | sh, PowerShell "
        "-EncodedCommand, a child process started with a decoded command).",
    ),
    RuleInfo(
        "js-shell-exfil",
        Category.EXFILTRATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "A shell command sends host details, environment or credential files to a remote host, "
        "or contacts an endpoint that receives stolen data.",
    ),
    # processes
    RuleInfo(
        "js-child-process",
        Category.PROCESS,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "Code starts processes through child_process (exec, spawn, execFile, fork).",
    ),
    RuleInfo(
        "js-detached-process",
        Category.PROCESS,
        Severity.MEDIUM,
        Confidence.HIGH,
        _C,
        "Code starts a detached background process that outlives the parent (detached: true, "
        "often with stdio ignored and unref()).",
    ),
    RuleInfo(
        "js-install-detached",
        Category.PROCESS,
        Severity.HIGH,
        Confidence.MEDIUM,
        _T,
        "Code that runs during installation starts a detached background process, the way "
        "droppers keep running after npm install returns.",
    ),
    RuleInfo(
        "js-process-binding",
        Category.PROCESS,
        Severity.HIGH,
        Confidence.MEDIUM,
        _T,
        "Code reaches Node's internal process bindings (process.binding('spawn_sync')) to start "
        "processes without going through child_process.",
    ),
    # dynamic code
    RuleInfo(
        "js-dynamic-code",
        Category.EXECUTION,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "Code compiles strings at run time (eval, Function, vm, module._compile) from values "
        "that are not constants.",
    ),
    RuleInfo(
        "js-eval-decoded",
        Category.EXECUTION,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "Code runs data it has just decoded or decrypted (eval of Buffer.from(..., 'base64'), "
        "Function of fromCharCode, module._compile of deciphered text).",
    ),
    RuleInfo(
        "js-eval-remote",
        Category.EXECUTION,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "Code runs JavaScript or shell commands it received over the network.",
    ),
    # environment, network, exfiltration
    RuleInfo(
        "js-env-collect",
        Category.CREDENTIALS,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "Code serialises or enumerates the whole process environment (JSON.stringify("
        "process.env), Object.keys(process.env)), which holds tokens and keys.",
    ),
    RuleInfo(
        "js-network",
        Category.NETWORK,
        Severity.LOW,
        Confidence.HIGH,
        _C,
        "Code makes network requests (http, https, net, dns, fetch, axios, request and similar).",
    ),
    RuleInfo(
        "js-exfil-endpoint",
        Category.EXFILTRATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code talks to, or embeds the address of, an endpoint that receives stolen data "
        "(webhooks, request bins, out-of-band servers, tunnels, raw public IP addresses).",
    ),
    RuleInfo(
        "js-exfil-data",
        Category.EXFILTRATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "A network request carries the environment, credential files or a fingerprint of the "
        "host (hostname, user name, working directory) out of the machine.",
    ),
    RuleInfo(
        "js-dns-exfil",
        Category.EXFILTRATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "DNS lookups of host names built from encoded local data, the covert channel of "
        "dependency-confusion beacons.",
    ),
    RuleInfo(
        "js-credential-read",
        Category.CREDENTIALS,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _C,
        "Code reads a file that holds credentials (~/.npmrc, ~/.aws/credentials, ~/.ssh, "
        "~/.kube/config).",
    ),
    RuleInfo(
        "js-credential-theft",
        Category.CREDENTIALS,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code reads stores that only stealers touch (browser passwords and cookies, Discord "
        "tokens, crypto wallets, keychains), several credential stores at once, or credentials "
        "during installation.",
    ),
    # obfuscation
    RuleInfo(
        "js-obfuscator",
        Category.OBFUSCATION,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _T,
        "The file has the marks of javascript-obfuscator (_0x identifiers, a rotated string "
        "array, escaped-character floods) or requires modules by decoded names.",
    ),
    RuleInfo(
        "js-packed",
        Category.OBFUSCATION,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "The file is packed to hide what it runs (eval(function(p,a,c,k,e,d)...) packer, JSFuck).",
    ),
    RuleInfo(
        "js-minified",
        Category.OBFUSCATION,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "A file outside the usual build folders (dist/, *.min.js, bundles) is one huge line, "
        "which hides code from review.",
    ),
    RuleInfo(
        "js-encoded-blob",
        Category.OBFUSCATION,
        Severity.LOW,
        Confidence.MEDIUM,
        _C,
        "A long base64 or hex string literal that may be an encoded payload.",
    ),
    # files
    RuleInfo(
        "js-binary-download",
        Category.FILESYSTEM,
        Severity.MEDIUM,
        Confidence.MEDIUM,
        _C,
        "Code downloads a file, writes it to disk and makes it executable or runs it (as "
        "installers of native tools do).",
    ),
    RuleInfo(
        "js-dropper",
        Category.FILESYSTEM,
        Severity.CRITICAL,
        Confidence.HIGH,
        _T,
        "Code downloads an executable from a suspicious or hidden address, or into a "
        "temporary folder, and runs it, possibly detached.",
    ),
    RuleInfo(
        "js-persistence",
        Category.PERSISTENCE,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code makes itself start again later: SSH authorized_keys, shell start-up files written "
        "at install or load time, cron, Windows Run keys and Startup, LaunchAgents.",
    ),
    RuleInfo(
        "js-clipboard-hijack",
        Category.SURVEILLANCE,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code writes to the clipboard and matches crypto-currency wallet addresses, the way "
        "clipboard hijackers swap a copied address for the attacker's.",
    ),
    RuleInfo(
        "js-destructive",
        Category.FILESYSTEM,
        Severity.HIGH,
        Confidence.HIGH,
        _T,
        "Code deletes or overwrites the user's files: recursive removal of the home or root "
        "folder, or file writes gated on the machine's country (protestware).",
    ),
    RuleInfo(
        "js-miner",
        Category.CRYPTOMINING,
        Severity.HIGH,
        Confidence.MEDIUM,
        _T,
        "Strings of crypto-mining software or mining pools (stratum URLs, xmrig, pool hosts).",
    ),
    RuleInfo(
        "js-analysis-limit",
        Category.ARCHIVE,
        Severity.INFO,
        Confidence.HIGH,
        _C,
        "A file was only partly analysed (too large, incomplete, or not text).",
    ),
]
"""Every rule the JavaScript analyser reports."""

RULES_BY_ID: dict[str, RuleInfo] = {rule.id: rule for rule in RULES}
"""The rules by id."""
