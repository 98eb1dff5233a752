"""A real Debian apache2 on a free loopback port, with a generated configuration
loading the built mod_disclosure. In the spirit of httpd's own test/pyhttpd:
each test environment starts its server, drives it with real clients and fails
on unexpected [error] or crash lines in the error log."""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULES = "/usr/lib/apache2/modules"
HTTPD = shutil.which("apache2") or "/usr/sbin/apache2"


def module_path():
    for p in (os.environ.get("DISCLOSURE_MODULE"),
              os.path.join(TOP, "mod_disclosure", ".libs", "mod_disclosure.so")):
        if p and os.path.exists(p):
            return p
    raise RuntimeError("mod_disclosure.so not built: run make first")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# make check-asan (build-aux/check-asan.sh): apache2 itself is not instrumented, so
# the sanitizer runtime is preloaded for the instrumented module, and its reports are
# written next to error_log (sanitizer.asan.PID); any report fails the test.
SANITIZER_PRELOAD = os.environ.get("DISCLOSURE_SANITIZER_PRELOAD")
SANITIZER_LOGDIR = os.environ.get("DISCLOSURE_SANITIZER_LOGDIR")


def _log_path(opts, path):
    kept = [o for o in (opts or "").split(":") if o and not o.startswith("log_path=")]
    return ":".join(kept + ["log_path=" + path])


# (gcc's UBSan ignores log_path: its reports reach error_log, httpd's stderr)
SANITIZER_REPORT = re.compile(r"runtime error:|==\d+==ERROR: [A-Za-z]+Sanitizer")
BAD_LOG = re.compile(r"\[(?:[a-z_]+:)?(error|crit|alert|emerg)\]|Segmentation fault|exit signal|AH00052|"
                     + SANITIZER_REPORT.pattern)


class Httpd:
    """One apache2 instance. `extra` is configuration appended to the
    generated base; `mpm` is event, worker or prefork."""

    def __init__(self, extra="", mpm="event", base_modules=None, name="httpd"):
        self.dir = tempfile.mkdtemp(prefix="disclosure-it-")
        self.port = free_port()
        self.mpm = mpm
        self.docroot = os.path.join(self.dir, "htdocs")
        self.logs = os.path.join(self.dir, "logs")
        self.registry = os.path.join(self.dir, "var", "registry.sqlite")
        for d in (self.docroot, self.logs, os.path.dirname(self.registry), os.path.join(self.dir, "dav")):
            os.makedirs(d, exist_ok=True)
        self.conf = os.path.join(self.dir, "httpd.conf")
        self.extra = extra
        self.proc = None
        self.allowed_errors = []
        # a command to run apache2 under (e.g. valgrind), and extra arguments (-X)
        self.wrapper = []
        self.args = []
        self.write_conf()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def user_lines(self):
        if os.geteuid() != 0:
            return ""
        # httpd refuses to run its children as root: hand them the tree
        user = "www-data"
        uid = pwd.getpwnam(user).pw_uid
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                os.chown(os.path.join(root, n), uid, -1)
        os.chown(self.dir, uid, -1)
        return "User %s\nGroup %s\n" % (user, user)

    def write_conf(self, extra=None):
        if extra is not None:
            self.extra = extra
        mods = ["mpm_%s" % self.mpm, "authz_core", "authz_host", "mime", "dir", "alias", "rewrite",
                "dav", "dav_fs", "proxy", "proxy_http", "headers", "include", "filter",
                "deflate", "brotli", "negotiation", "env", "setenvif", "socache_shmcb"]
        lines = ["ServerRoot %s" % self.dir,
                 "ServerName 127.0.0.1",
                 "Listen 127.0.0.1:%d" % self.port,
                 "PidFile %s/httpd.pid" % self.logs,
                 "ErrorLog %s/error_log" % self.logs,
                 "LogLevel warn disclosure:info",
                 "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common",
                 "CustomLog %s/access_log common" % self.logs,
                 "TypesConfig /etc/mime.types",
                 "DocumentRoot %s" % self.docroot,
                 "DAVLockDB %s/dav/lockdb" % self.dir,
                 "Timeout 10",
                 "StartServers 2",
                 "ServerLimit 4",
                 "MaxRequestWorkers 64" if self.mpm != "prefork" else "MaxRequestWorkers 16",
                 "ThreadsPerChild 16" if self.mpm != "prefork" else "",
                 "MinSpareThreads 4" if self.mpm != "prefork" else "MinSpareServers 2",
                 "MaxSpareThreads 32" if self.mpm != "prefork" else "MaxSpareServers 8",
                 "Mutex file:%s/logs default" % self.dir,
                 ]
        loads = ["LoadModule %s_module %s/mod_%s.so" % (m, MODULES, m) for m in mods]
        loads.append("LoadModule disclosure_module %s" % module_path())
        lines = loads + lines
        text = "\n".join(lines) + "\n" + self.user_lines() + """
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "%(docroot)s">
  Require all granted
  Options +Includes
</Directory>
""" % {"docroot": self.docroot} + self.extra + "\n"
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)

    def env(self):
        env = dict(os.environ)
        if SANITIZER_PRELOAD:
            env["LD_PRELOAD"] = SANITIZER_PRELOAD
            for var, tool in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
                env[var] = _log_path(env.get(var), os.path.join(self.logs, "sanitizer." + tool))
        return env

    def sanitizer_reports(self, with_error_log=False):
        """[(file name, text)] of this server's sanitizer reports; with_error_log
        adds error_log from its first report on (UBSan's, and crashes')."""
        out = []
        if os.path.isdir(self.logs):
            for n in sorted(os.listdir(self.logs)):
                if n.startswith("sanitizer."):
                    text = open(os.path.join(self.logs, n), encoding="utf-8", errors="replace").read()
                    if SANITIZER_REPORT.search(text):
                        out.append((n, text))
        m = SANITIZER_REPORT.search(self.error_log()) if with_error_log else None
        if m:
            log = self.error_log()
            out.append(("error_log", log[log.rfind("\n", 0, m.start()) + 1:]))
        return out

    def configtest(self):
        return subprocess.run([HTTPD, "-f", self.conf, "-t"], capture_output=True, text=True, env=self.env())

    def start(self):
        r = self.configtest()
        if r.returncode != 0:
            raise RuntimeError("configtest failed: " + r.stderr)
        self.proc = subprocess.Popen(self.wrapper + [HTTPD, "-f", self.conf, "-DFOREGROUND"] + self.args,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     # prefork signals its whole process group on stop
                                     start_new_session=True, env=self.env())
        deadline = time.time() + (120 if self.wrapper else 15)
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("httpd exited: %s\n%s" % (self.proc.stdout.read().decode(), self.error_log()))
                time.sleep(0.1)
        raise RuntimeError("httpd did not start")

    def graceful(self):
        os.kill(self.proc.pid, signal.SIGUSR1)
        time.sleep(1.0)

    def children(self):
        """The pids of the parent's child processes."""
        out = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open("/proc/%s/stat" % pid) as f:
                        stat = f.read()
                except OSError:
                    continue
                # pid (comm) state ppid ...: comm may hold spaces
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    out.append(int(pid))
        return out

    def graceful_wait(self, timeout=20):
        """A graceful restart, returning once every child is one of the new
        generation (the old ones finished what they were doing)."""
        old = set(self.children())
        done = self.error_log().count("resuming normal operations")
        os.kill(self.proc.pid, signal.SIGUSR1)
        deadline = time.time() + timeout
        while time.time() < deadline:
            kids = set(self.children())
            if self.error_log().count("resuming normal operations") > done and kids and not kids & old:
                return
            time.sleep(0.1)
        raise RuntimeError("graceful restart did not complete")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(120 if self.wrapper else 15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def error_log(self):
        p = os.path.join(self.logs, "error_log")
        return open(p, encoding="utf-8", errors="replace").read() if os.path.exists(p) else ""

    def bad_log_lines(self):
        out = []
        for line in self.error_log().splitlines():
            if BAD_LOG.search(line) and not any(re.search(a, line) for a in self.allowed_errors):
                out.append(line)
        for n, text in self.sanitizer_reports():
            out.append("%s: %s" % (n, text.strip()[:4000]))
        return out

    def cleanup(self):
        """Stop and remove the server; a sanitizer report (leaks are written when
        the processes exit, so only now) fails the test that owns the server."""
        self.stop()
        reports = self.sanitizer_reports(with_error_log=True)
        if reports and SANITIZER_LOGDIR:
            for n, _ in reports:
                shutil.copy(os.path.join(self.logs, n),
                            os.path.join(SANITIZER_LOGDIR, os.path.basename(self.dir) + "." + n))
        shutil.rmtree(self.dir, ignore_errors=True)
        if reports:
            raise AssertionError("sanitizer reports from httpd:\n" + "\n".join(
                "==> %s\n%s" % (n, text.strip()[:4000]) for n, text in reports))


def curl(*args, data=None):
    """Run curl; returns (status, headers dict lower-cased, body bytes)."""
    hdr = tempfile.NamedTemporaryFile(delete=False)
    hdr.close()
    cmd = ["curl", "-sS", "-o", "-", "-D", hdr.name, "--max-time", "30"] + list(args)
    r = subprocess.run(cmd, input=data, capture_output=True)
    raw = open(hdr.name, "rb").read().decode("latin-1")
    os.unlink(hdr.name)
    blocks = [b for b in raw.split("\r\n\r\n") if b.strip()]
    status, headers = 0, {}
    if blocks:
        last = blocks[-1].split("\r\n")
        status = int(last[0].split()[1])
        for h in last[1:]:
            if ":" in h:
                k, v = h.split(":", 1)
                headers[k.strip().lower()] = v.strip()
    return status, headers, r.stdout
