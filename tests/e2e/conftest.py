"""Real processes for end-to-end tests: gunicorn, a Celery worker and beat, a fake PagerDuty."""

import dataclasses
import secrets
import sys
import textwrap

import pytest
import requests

from tests.fake_pagerduty import FakePagerDuty
from tests.support import Process, eventually, launch_web, process_env, stop_all, wait_http

SRE_KEY = "routingkeyoncallsre0000000000001"
MANAGER_KEY = "routingkeysremanager000000000001"
EXPERT_KEY = "routingkeypaymentsexpert00000001"
WEBHOOK_TOKEN = "e2e-webhook-token"
API_TOKEN = "e2e-api-token-0123456789"
READ = {"Authorization": f"Bearer {API_TOKEN}"}  # the read API asks for a token too
PD_SECRET = "e2e-pagerduty-secret"
# The tick re-sends a page left pending this long (INCIDENTS_SWEEP_GRACE_SECONDS; 10 s in production).
SWEEP_GRACE = 2


def applied(base: str, answer) -> list[str]:
    """Once the inbox's consumer applied an answered intake request: the incidents it went to."""
    url = f"{base}/api/requests/{answer.json()['request_id']}"

    def state():
        found = requests.get(url, headers=READ, timeout=10).json()
        return found if found["state"] == "applied" else None

    return eventually(state, timeout=30)["incidents"]


# Time targets off: the tests' alerts started days ago (fixed startsAt), so every target would be
# breached, and paged, at once; tests of targets pass a `lifecycle` of their own.
NO_TARGETS = (
    "{phases: {detection: 0, mitigation: 0, recovery: 0, postmortem: 0}, "
    "response: {SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0}, update_every: {SEV1: 0, SEV2: 0, SEV3: 0}}"
)


def write_config(
    folder,
    *,
    level_timeouts=(3, 3),
    ack_timeout="0",
    sev2_window="30 minutes",
    repeat=0,
    lifecycle=NO_TARGETS,
    chat="",
    schedules="",
    first_target="user: oncall-sre",
):
    """A config like the example's, with timeouts in seconds so escalation happens during a test;
    `lifecycle`: the `lifecycle:` section (YAML flow style), e.g. targets in seconds; `chat`: the
    service's `chat:` as a YAML flow mapping; `schedules`: a schedules.yaml, if any; `first_target`: the
    first level's target (`schedule: rota` to page a schedule)."""
    levels = "".join(
        f"      - targets: [{{{target}}}]\n        timeout: {seconds}s\n"
        for target, seconds in zip((first_target, "user: sre-manager"), level_timeouts, strict=False)
    )
    (folder / "services.yaml").write_text(
        textwrap.dedent(f"""\
        urgency:
          escalate_unresolved_after: {{SEV2: {sev2_window}}}
        lifecycle: {lifecycle}
        api_tokens:
          - {{name: e2e-operator, token: {API_TOKEN}}}
        pagerduty:
          webhook_secrets: [{PD_SECRET}]
        services:
          - name: production-api
            default: true
            repeat: {repeat}
            ack_timeout: {ack_timeout}
            intake:
              bearer_token: {WEBHOOK_TOKEN}
            escalation_policy:
        """)
        + levels
        + (f"    chat: {chat}\n" if chat else "")
    )
    (folder / "people.yaml").write_text(
        textwrap.dedent(f"""\
        people:
          - {{name: oncall-sre, routing_key: {SRE_KEY}, email: oncall-sre@example.com}}
          - {{name: sre-manager, routing_key: {MANAGER_KEY}, email: sre-manager@example.com}}
          - {{name: payments-expert, routing_key: {EXPERT_KEY}, email: payments-expert@example.com}}
        teams:
          - {{name: sre, routing_key: {MANAGER_KEY}, members: [oncall-sre, sre-manager]}}
        """)
    )
    if schedules:
        (folder / "schedules.yaml").write_text(schedules)
    return folder


@dataclasses.dataclass
class Stack:
    """The running service: `web` (base URL), `pagerduty` (the fake), and its processes."""

    web: str
    pagerduty: FakePagerDuty
    settings: object
    processes: dict
    env: dict = dataclasses.field(default_factory=dict)  # more settings for worker, consumer and beat

    def log(self) -> str:
        return "\n".join(f"===== {name}\n{process.log()[-6000:]}" for name, process in self.processes.items())

    def start_worker(self, name: str = "worker") -> Process:
        argv = [sys.executable, "-m", "cli.main", "worker", "--concurrency", "4"]
        self.processes[name] = Process(argv, env=self._env(), log_path=self.settings.var_dir.parent / f"{name}.log")
        return self.processes[name]

    def start_consumer(self) -> Process:
        argv = [sys.executable, "-m", "cli.main", "consume"]
        log_path = self.settings.var_dir.parent / "consumer.log"
        self.processes["consumer"] = Process(argv, env=self._env(), log_path=log_path)
        return self.processes["consumer"]

    def start_beat(self, name: str = "beat") -> Process:
        """A beat; another one (another `name`) keeps its schedule file in a folder of its own."""
        argv = [sys.executable, "-m", "cli.main", "beat"]
        var = {} if name == "beat" else {"INCIDENTS_VAR": str(self.settings.var_dir.parent / f"var-{name}")}
        log_path = self.settings.var_dir.parent / f"{name}.log"
        self.processes[name] = Process(argv, env=self._env() | var, log_path=log_path)
        return self.processes[name]

    def _env(self) -> dict:
        return process_env(
            self.settings,
            PAGERDUTY_EVENTS_URL=self.pagerduty.url,
            INCIDENTS_TICK_SECONDS="0.5",
            INCIDENTS_SWEEP_GRACE_SECONDS=SWEEP_GRACE,
            PUBLIC_URL=self.web,
            # `celery worker --without-mingle` (click reads it here): mingle waits a second at each start
            # for other workers' revoked tasks, and ours revoke none. tests/faults keeps it, as production
            # does: it runs again after a lost broker connection, which those tests break.
            CELERY_WORKER_WITHOUT_MINGLE=1,
            **self.env,
        )


@pytest.fixture
def start_stack(settings, engine, tmp_path, request):
    """`start_stack(**config)`: fake PagerDuty, gunicorn, worker and beat on a config with short timeouts."""
    started = []

    def start(*, worker: bool = True, beat: bool = True, env=None, **config) -> Stack:
        folder = tmp_path / "config"
        folder.mkdir(exist_ok=True)
        write_config(folder, **config)
        stack_settings = dataclasses.replace(settings, config_dir=folder, broker_prefix=f"e2e-{secrets.token_hex(4)}:")
        fake = FakePagerDuty().start()
        web, base = launch_web(
            stack_settings, tmp_path, PAGERDUTY_EVENTS_URL=fake.url, CELERY_BROKER_PREFIX=stack_settings.broker_prefix
        )
        stack = Stack(base, fake, stack_settings, {"web": web}, env or {})
        started.append(stack)
        # Worker and beat start while the web does: the test needs all three, not one after the other.
        # Without a worker, `incidents consume` applies the inbox (the worker does that too): intake
        # works, and pages wait in the outbox.
        if worker:
            stack.start_worker()
        else:
            stack.start_consumer()
        if beat:
            stack.start_beat()
        wait_http(f"{base}/healthz", web)
        return stack

    yield start
    for stack in started:
        failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
        if failed:
            print(stack.log())
        stop_all(stack.processes.values())
        stack.pagerduty.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
