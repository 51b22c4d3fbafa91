import io
import json
import logging

import pytest

from kep import log as logsetup


@pytest.fixture
def streams():
    out, err = io.StringIO(), io.StringIO()
    yield out, err
    logsetup.configure()


def test_reference_line_shape_info_to_stdout_errors_to_stderr(streams):
    out, err = streams
    logsetup.configure(out, err)
    logging.getLogger("kep.test").info("Resolving Service db in namespace ns")
    logging.getLogger("kep.test").error("bad")
    assert out.getvalue().startswith("Entrypoint INFO: ")
    assert out.getvalue().rstrip().endswith(" Resolving Service db in namespace ns")
    assert err.getvalue().startswith("Entrypoint ERROR: ") and "bad" in err.getvalue()
    assert "bad" not in out.getvalue()


def test_json_format_is_one_object_per_line(streams):
    out, err = streams
    logsetup.configure(out, err, form="json")
    logging.getLogger("kep.test").warning('Waiting for "x"')
    record = json.loads(out.getvalue())
    assert record["level"] == "warning" and record["message"] == 'Waiting for "x"'
    assert record["time"].endswith("Z")


def test_debug_lines_only_when_asked(streams):
    out, err = streams
    logsetup.configure(out, err)
    logging.getLogger("kep.test").debug("hidden")
    logsetup.configure(out, err, debug=True)
    logging.getLogger("kep.test").debug("shown")
    assert "hidden" not in out.getvalue() and "shown" in out.getvalue()
