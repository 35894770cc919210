"""The worker's configuration file: `key = value` lines (see `worker.py --help`), read and
checked as a whole, so a file that does not parse never replaces a good one."""


class ConfigError(Exception):
    pass


class Config:
    def __init__(self, path, prefix):
        self.path = path
        self.prefix = prefix
        self.values = {}

    def key(self, name):
        return "%s_%s" % (self.prefix, name)

    def load(self):
        try:
            with open(self.path, "r", encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise ConfigError("cannot read %s: %s" % (self.path, exc.strerror or exc))
        values = {}
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if "=" not in line:
                raise ConfigError("%s line %d: expected key = value, got %r" % (self.path, number, raw.strip()))
            k, v = line.split("=", 1)
            values[k.strip()] = v.strip()
        required = [self.key(n) for n in ("host", "port", "tls", "api_path", "token_file")]
        missing = [k for k in required if not values.get(k)]
        if missing:
            raise ConfigError("%s: missing %s" % (self.path, ", ".join(missing)))
        try:
            port = int(values[self.key("port")])
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            raise ConfigError("%s: %s must be a port number, got %r" % (self.path, self.key("port"), values[self.key("port")]))
        if values[self.key("tls")].lower() not in ("yes", "no", "true", "false", "on", "off", "1", "0"):
            raise ConfigError("%s: %s must be yes or no" % (self.path, self.key("tls")))
        if not values[self.key("api_path")].startswith("/"):
            raise ConfigError("%s: %s must start with /" % (self.path, self.key("api_path")))
        for k, default in (("timeout_ms", "2000"),):
            values.setdefault(self.key(k), default)
        values.setdefault("retry_delay_ms", "0")
        try:
            int(values[self.key("timeout_ms")])
            int(values["retry_delay_ms"])
        except ValueError:
            raise ConfigError("%s: timeouts and delays are whole milliseconds" % self.path)
        self.values = values

    # Typed views -------------------------------------------------------------------------------
    @property
    def host(self):
        return self.values[self.key("host")]

    @property
    def port(self):
        return int(self.values[self.key("port")])

    @property
    def tls(self):
        return self.values[self.key("tls")].lower() in ("yes", "true", "on", "1")

    @property
    def api_path(self):
        return self.values[self.key("api_path")]

    @property
    def token_file(self):
        return self.values[self.key("token_file")]

    @property
    def timeout(self):
        return max(int(self.values[self.key("timeout_ms")]), 100) / 1000.0

    @property
    def retry_delay(self):
        return max(int(self.values["retry_delay_ms"]), 0) / 1000.0

    def url(self):
        return "%s://%s:%d%s" % ("https" if self.tls else "http", self.host, self.port, self.api_path)

    def summary(self):
        return "%s=%s %s=%s %s=%s retry_delay_ms=%s" % (
            self.prefix, self.url(), self.key("token_file"), self.token_file,
            self.key("timeout_ms"), self.values[self.key("timeout_ms")], self.values["retry_delay_ms"])
