"""Qualified names of the functions the Python analyser looks for.

Calls are resolved to dotted names through the file's imports (``from os import system as s``
makes ``s(...)`` a call of ``os.system``); instances carry ``()`` (``socket.socket().send``).
"""

from __future__ import annotations

import builtins
from functools import lru_cache

BUILTIN_NAMES = frozenset(dir(builtins)) | {"__builtins__"}
"""Names that resolve to ``builtins.<name>`` unless the file binds them."""

ALIASES = (
    ("__builtin__.", "builtins."),
    ("__builtins__.", "builtins."),
    ("builtins.__dict__.", "builtins."),
    ("urllib2.", "urllib.request."),
    ("urllib.urlopen", "urllib.request.urlopen"),
    ("urllib.urlretrieve", "urllib.request.urlretrieve"),
    ("httplib.", "http.client."),
    ("commands.", "subprocess."),
    ("posix.", "os."),
    ("nt.", "os."),
    ("cPickle.", "pickle."),
    ("_pickle.", "pickle."),
    ("Tkinter.", "tkinter."),
    ("_winreg.", "winreg."),
    ("importlib.__import__", "builtins.__import__"),
    ("builtins.bytes.", "bytes."),
    ("builtins.bytearray.", "bytearray."),
    ("builtins.str.", "str."),
    ("pathlib.PosixPath", "pathlib.Path"),
    ("pathlib.WindowsPath", "pathlib.Path"),
)
"""Old or alternative spellings of a dotted name's start, and the canonical one."""


@lru_cache(maxsize=8192)
def normalize(symbol: str) -> str:
    """The canonical spelling of a dotted name (Python 2 and alias modules folded)."""
    if symbol in ("__builtins__", "__builtin__"):
        return "builtins"
    for old, new in ALIASES:
        if symbol.startswith(old):
            return new + symbol[len(old) :]
    return symbol


EXEC = frozenset({"builtins.exec", "builtins.eval", "builtins.execfile", "types.FunctionType"})
"""Calls that run code given as data."""

DECODERS = frozenset(
    {
        "base64.b64decode",
        "base64.b32decode",
        "base64.b32hexdecode",
        "base64.b16decode",
        "base64.a85decode",
        "base64.b85decode",
        "base64.decodebytes",
        "base64.decodestring",
        "base64.urlsafe_b64decode",
        "base64.standard_b64decode",
        "binascii.a2b_base64",
        "binascii.a2b_hex",
        "binascii.unhexlify",
        "binascii.a2b_uu",
        "bytes.fromhex",
        "bytearray.fromhex",
        "quopri.decodestring",
        "uu.decode",
    }
)
"""Calls that decode text encodings of bytes."""

DECOMPRESSORS = frozenset(
    {
        "zlib.decompress",
        "bz2.decompress",
        "lzma.decompress",
        "gzip.decompress",
        "zlib.decompressobj().decompress",
        "bz2.BZ2Decompressor().decompress",
        "lzma.LZMADecompressor().decompress",
        "marshal.loads",
        "marshal.load",
    }
)
"""Calls that turn embedded data into code-shaped data (decompression, unmarshalling)."""

CODEC_TRANSFORMS = frozenset(
    {"rot13", "rot_13", "hex", "hex_codec", "base64", "base_64", "base64_codec", "zlib", "bz2"}
    | {"zlib_codec", "bz2_codec", "uu", "uu_codec", "quopri", "quopri_codec"}
)
"""Codec names that ``codecs.decode``/``codecs.encode`` use to hide text."""

UNPICKLERS = frozenset(
    {"pickle.loads", "dill.loads", "cloudpickle.loads", "joblib.load", "pickle.load"}
)
"""Calls that unpickle (and so may run code)."""

FETCHERS = frozenset(
    {
        "urllib.request.urlopen",
        "urllib.request.urlopen().read",
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.patch",
        "requests.delete",
        "requests.head",
        "requests.options",
        "requests.request",
        "requests.Session().get",
        "requests.Session().post",
        "requests.session().get",
        "httpx.get",
        "httpx.post",
        "httpx.put",
        "httpx.patch",
        "httpx.delete",
        "httpx.request",
        "httpx.Client().get",
        "httpx.Client().post",
        "urllib3.PoolManager().request",
        "urllib3.request",
        "http.client.HTTPConnection().getresponse",
        "http.client.HTTPSConnection().getresponse",
        "socket.socket().recv",
        "socket.create_connection().recv",
        "pycurl.Curl().perform",
        "wget.download",
    }
)
"""Calls whose result is data from the network."""

NETWORK = frozenset(
    {
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "urllib.request.build_opener",
        "urllib.request.Request",
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.patch",
        "requests.delete",
        "requests.head",
        "requests.options",
        "requests.request",
        "requests.Session",
        "requests.session",
        "httpx.get",
        "httpx.post",
        "httpx.put",
        "httpx.patch",
        "httpx.delete",
        "httpx.head",
        "httpx.request",
        "httpx.stream",
        "httpx.Client",
        "httpx.AsyncClient",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "socket.socket",
        "socket.create_connection",
        "socket.gethostbyname",
        "socket.gethostbyname_ex",
        "socket.getaddrinfo",
        "ftplib.FTP",
        "ftplib.FTP_TLS",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "telnetlib.Telnet",
        "dns.resolver.resolve",
        "dns.resolver.query",
        "dns.resolver.Resolver",
        "aiohttp.ClientSession",
        "aiohttp.request",
        "urllib3.PoolManager",
        "urllib3.request",
        "pycurl.Curl",
        "websocket.create_connection",
        "websocket.WebSocketApp",
        "websockets.connect",
        "paramiko.SSHClient",
        "wget.download",
        "discord_webhook.DiscordWebhook",
        "dhooks.Webhook",
        "discord.SyncWebhook.from_url",
        "discord.Webhook.from_url",
        "telebot.TeleBot",
    }
)
"""Calls that open network connections or make requests (entry points, not methods)."""

SEND_METHODS = frozenset(
    {
        "send",
        "sendall",
        "sendto",
        "sendmail",
        "send_message",
        "storbinary",
        "storlines",
        "request",
        "post",
        "put",
        "patch",
        "get",
        "connect",
        "execute",
        "send_document",
        "stream",
    }
)
"""Methods of network objects that carry data out."""


def sends(symbol: str) -> bool:
    """Whether a call of ``symbol`` reaches the network: a network entry point, or a sending
    method of an object one made (``socket.socket().send``, ``smtplib.SMTP().login``)."""
    if symbol in NETWORK:
        return True
    base, sep, method = symbol.rpartition("().")
    return bool(sep) and method in _SENDER_METHODS and base in NETWORK


_SENDER_METHODS = SEND_METHODS | {"open", "urlopen", "login"}

PROCESS = frozenset(
    {
        "subprocess.Popen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "os.popen2",
        "os.popen3",
        "os.popen4",
        "os.execl",
        "os.execle",
        "os.execlp",
        "os.execlpe",
        "os.execv",
        "os.execve",
        "os.execvp",
        "os.execvpe",
        "os.spawnl",
        "os.spawnle",
        "os.spawnlp",
        "os.spawnlpe",
        "os.spawnv",
        "os.spawnve",
        "os.spawnvp",
        "os.spawnvpe",
        "os.posix_spawn",
        "os.posix_spawnp",
        "os.startfile",
        "pty.spawn",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
        "ctypes.windll.shell32.ShellExecuteW",
        "ctypes.windll.shell32.ShellExecuteA",
        "win32api.ShellExecute",
        "win32api.WinExec",
        "win32process.CreateProcess",
    }
)
"""Calls that start processes."""

SHELL_STRING = frozenset(
    {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"}
    | {"asyncio.create_subprocess_shell"}
)
"""Process calls whose command is a shell string."""

FILE_READ = frozenset(
    {
        "builtins.open",
        "io.open",
        "codecs.open",
        "os.open",
        "os.listdir",
        "os.scandir",
        "os.walk",
        "glob.glob",
        "glob.iglob",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.copytree",
        "shutil.make_archive",
        "sqlite3.connect",
        "zipfile.ZipFile().write",
        "tarfile.open().add",
    }
)
"""Calls that read a file or folder given as their first argument."""

PATH_METHODS_READ = frozenset(
    {"read_text", "read_bytes", "open", "iterdir", "glob", "rglob", "readlines", "read"}
)
"""Methods of path-like or file objects that read."""

PATH_BUILD = frozenset(
    {
        "os.path.join",
        "os.path.expanduser",
        "os.path.expandvars",
        "os.path.exists",
        "os.path.isfile",
        "os.path.isdir",
        "pathlib.Path",
        "pathlib.Path.home().joinpath",
    }
)
"""Calls that build or test a path (a credential path there is a capability, not a read)."""

FINGERPRINT = frozenset(
    {
        "getpass.getuser",
        "socket.gethostname",
        "socket.getfqdn",
        "platform.node",
        "platform.uname",
        "os.getlogin",
        "os.uname",
        "uuid.getnode",
        "platform.platform",
    }
)
"""Calls that identify the user or machine."""

FINGERPRINT_ENV = frozenset(
    {"USER", "USERNAME", "LOGNAME", "COMPUTERNAME", "HOSTNAME", "USERDOMAIN", "USERPROFILE"}
)
"""Environment variables that identify the user or machine."""

TEMP_SOURCES = frozenset(
    {
        "tempfile.gettempdir",
        "tempfile.mkdtemp",
        "tempfile.mkstemp",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryDirectory",
    }
)
"""Calls that name a temporary location."""

TEMP_ENV = frozenset({"TEMP", "TMP", "TMPDIR", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA"})
"""Environment variables that name places droppers write to."""

CLIPBOARD_READ = frozenset(
    {
        "pyperclip.paste",
        "clipboard.paste",
        "win32clipboard.GetClipboardData",
        "ctypes.windll.user32.GetClipboardData",
        "pandas.read_clipboard",
    }
)
"""Calls that read the clipboard."""

CLIPBOARD_WRITE = frozenset(
    {
        "pyperclip.copy",
        "clipboard.copy",
        "win32clipboard.SetClipboardData",
        "win32clipboard.SetClipboardText",
        "ctypes.windll.user32.SetClipboardData",
    }
)
"""Calls that write the clipboard."""

KEYLOGGER = frozenset(
    {
        "pynput.keyboard.Listener",
        "pynput.keyboard.Events",
        "keyboard.on_press",
        "keyboard.on_release",
        "keyboard.hook",
        "keyboard.record",
        "keyboard.start_recording",
        "ctypes.windll.user32.GetAsyncKeyState",
        "ctypes.windll.user32.GetKeyState",
        "ctypes.windll.user32.SetWindowsHookExA",
        "ctypes.windll.user32.SetWindowsHookExW",
        "win32api.GetAsyncKeyState",
        "pyHook.HookManager",
        "pyxhook.HookManager",
    }
)
"""Calls that hook or poll the keyboard."""

SCREENSHOT = frozenset(
    {
        "PIL.ImageGrab.grab",
        "pyautogui.screenshot",
        "pyscreenshot.grab",
        "mss.mss().grab",
        "mss.mss().shot",
        "mss.mss().save",
        "mss.mss",
        "d3dshot.create",
    }
)
"""Calls that capture the screen."""

WINREG_WRITE = frozenset(
    {
        "winreg.SetValueEx",
        "winreg.SetValue",
        "winreg.CreateKey",
        "winreg.CreateKeyEx",
        "winreg.OpenKey",
        "winreg.OpenKeyEx",
    }
)
"""Registry calls that may install a Run key."""

COPY_CALLS = frozenset(
    {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "os.rename", "os.replace"}
)
"""Calls that put a file somewhere (an autostart folder, for persistence)."""

IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module"})
"""Calls that import a module by name."""

COMMAND_BASES = frozenset(
    {
        "install",
        "develop",
        "egg_info",
        "build_py",
        "sdist",
        "build",
        "build_ext",
        "build_clib",
        "build_scripts",
        "bdist_egg",
        "bdist_wheel",
        "install_lib",
        "install_scripts",
        "install_data",
        "easy_install",
        "Command",
    }
)
"""Names of setuptools/distutils command classes whose subclasses run at install time."""

INSTALL_COMMANDS = frozenset(
    {
        "install",
        "develop",
        "egg_info",
        "build_py",
        "sdist",
        "bdist_egg",
        "bdist_wheel",
        "install_lib",
        "install_scripts",
        "easy_install",
    }
)
"""Commands that run on every install (overriding them is the classic install hook)."""

PEP517_HOOKS = frozenset(
    {
        "build_wheel",
        "build_sdist",
        "build_editable",
        "get_requires_for_build_wheel",
        "get_requires_for_build_sdist",
        "get_requires_for_build_editable",
        "prepare_metadata_for_build_wheel",
        "prepare_metadata_for_build_editable",
    }
)
"""Functions a build frontend calls in a build backend."""

STAR_MODULES = (
    "os",
    "subprocess",
    "socket",
    "base64",
    "zlib",
    "marshal",
    "urllib.request",
    "requests",
    "pty",
    "codecs",
    "binascii",
    "ctypes",
    "pyperclip",
)
"""Modules whose ``from m import *`` the resolver expands for the names it knows."""

KNOWN = (
    EXEC
    | DECODERS
    | DECOMPRESSORS
    | UNPICKLERS
    | FETCHERS
    | NETWORK
    | PROCESS
    | FILE_READ
    | FINGERPRINT
    | CLIPBOARD_READ
    | CLIPBOARD_WRITE
    | KEYLOGGER
    | SCREENSHOT
    | TEMP_SOURCES
)
"""Every symbol above (for star imports)."""

SENSITIVE_NAMES = frozenset(
    {s.rsplit(".", 1)[-1] for s in KNOWN if "()" not in s}
    | {s.split(".", 1)[0] for s in KNOWN}
    | {"exec", "eval", "compile", "__import__", "getattr", "open", "globals", "builtins"}
    | {"__builtins__", "system", "popen", "import_module", "setattr", "write", "b64decode"}
)
"""Names malware hides from readers when it looks them up dynamically."""
