"""`changes.rollback_window`: an hour by default, configurable, and a wrong value named by file and field."""

from datetime import timedelta

from settings.catalog import load_catalog
from tests.unit.test_config import LEVEL, problems, write

SERVICE = f"services:\n  - name: api\n    default: true\n    escalation_policy:\n{LEVEL}"


def test_the_rollback_window_is_an_hour_unless_configured(tmp_path):
    assert load_catalog(write(tmp_path, SERVICE), environ={}).rollback_window == timedelta(hours=1)
    write(tmp_path, "changes:\n  rollback_window: 3 hours\n" + SERVICE)
    assert load_catalog(tmp_path, environ={}).rollback_window == timedelta(hours=3)


def test_a_wrong_rollback_window_names_file_field_and_value(tmp_path):
    write(tmp_path, "changes:\n  rollback_window: an hour\n" + SERVICE)
    assert problems(tmp_path) == [f'{tmp_path}/services.yaml: changes.rollback_window: "an hour" is not a duration']
    write(tmp_path, "changes:\n  rollback_window: 0s\n" + SERVICE)
    assert problems(tmp_path) == [f"{tmp_path}/services.yaml: changes.rollback_window: must be from 1 second to 7 days"]
    write(tmp_path, "changes:\n  rollbak_window: 1h\n" + SERVICE)
    assert problems(tmp_path) == [f"{tmp_path}/services.yaml: changes.rollbak_window: Unknown field."]
