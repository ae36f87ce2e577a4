"""The official Camunda Python external-task client (camunda-external-task-client-python3,
unchanged) serving testdata/bpmn/official-clients.bpmn on Carpetti's engine. Run by
packages/engine/tests/it/official_clients.rs; `pip install -r requirements.txt` first
(scripts/test does it).

    python3 worker.py <base_url> <scenario>      (or CAMUNDA_BASE_URL / SCENARIO)

<scenario> is the business-key prefix of the three instances to serve: <scenario>-ok,
<scenario>-declined and <scenario>-flaky. One ExternalTaskWorker per topic, each `subscribe`
blocking in its own thread (as the client's README does). Prints one JSON object per line on
stdout for each report the client confirmed (it counts a report as done only on 204), then
{"event": "done"} and exits 0 once every expected report was confirmed; exits 1 as soon as the
client logs an error (a rejected fetch or report), or after 60 s.
"""

import base64
import json
import logging
import os
import re
import sys
import threading

from camunda.client.engine_client import EngineClient
from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CAMUNDA_BASE_URL")
SCENARIO = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("SCENARIO", "python")
LABEL = "FRAGILE - this side up"
TOPICS = ["fulfil", "notify", "charge", "refund", "flaky"]
CONFIG = {
    "maxTasks": 1,
    "lockDuration": 20000,
    "asyncResponseTimeout": 5000,
    "retries": 2,
    "retryTimeout": 200,
    "sleepSeconds": 1,
}

state_lock = threading.Lock()
expected = {
    "fulfil:ok",
    "fulfil:declined",
    "fulfil:flaky",
    "notify:ok",
    "charge:ok",
    "charge:declined",
    "refund:declined",
    "flaky:incident",
}
# task id -> (milestone or None, the JSON line to print once the client confirmed the report)
pending = {}
finished = threading.Event()
failed = []


def emit(event):
    line = json.dumps({"client": "python", **event})
    with state_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Confirmations(logging.Handler):
    """The client reports its outcome only through logging: a report is confirmed by its
    "Marked task completed" / "Marked task failed" / "BPMN Error Handled: True" line (written
    after a 204), and fails with "error when executing task" / "error fetching and executing
    tasks" / "Not able to mark"."""

    CONFIRMED = ("Marked task completed", "Marked task failed", "BPMN Error Handled: True")
    ERRORS = ("error when executing task", "error fetching and executing tasks", "Not able to mark")

    def emit(self, record):
        message = record.getMessage()
        if any(marker in message for marker in self.ERRORS):
            failed.append(message)
            finished.set()
            return
        if not any(marker in message for marker in self.CONFIRMED):
            return
        ids = set(re.findall(r"TASK_ID:([^\]]+)\]", message))
        ids.update(re.findall(r"task_id=([^,\s]+)", message))
        for task_id in ids:
            with state_lock:
                entry = pending.pop(task_id, None)
            if entry is None:
                continue
            milestone, line = entry
            emit(line)
            if milestone is not None:
                with state_lock:
                    expected.discard(milestone)
                    done = not expected
                if done:
                    finished.set()


def role_of(task: ExternalTask) -> str:
    key = task.get_business_key() or ""
    if not key.startswith(SCENARIO + "-"):
        raise ValueError(f"task {task.get_task_id()} of foreign instance {key}")
    return key[len(SCENARIO) + 1:]


def expect(task: ExternalTask, milestone, line) -> None:
    with state_lock:
        pending[task.get_task_id()] = (milestone, line)


def seen(task: ExternalTask) -> dict:
    """Every variable as fetched: {name: {type, value}}."""
    names = task.get_variables().keys()
    return {
        name: {k: task.get_variable(name, with_meta=True)[k] for k in ("type", "value")}
        for name in names
    }


def fulfil(task: ExternalTask) -> TaskResult:
    role = role_of(task)
    variables = {
        "carrier": "DHL Express",
        "items": 3,
        "trackingId": 12345678901,
        "total": {"ok": 150.0, "flaky": 42.25}.get(role, 20.5),  # 150.0 must stay a Double
        "giftWrap": role == "flaky",
        "shippedAt": {"value": "2026-03-01T10:15:30.250+0000", "type": "Date"},
        "parcel": {"value": json.dumps({"sku": "A-1", "qty": 3, "dims": [10, 20, 5]}), "type": "Json"},
        "label": {"value": base64.b64encode(LABEL.encode()).decode(), "type": "File",
                  "valueInfo": {"filename": "label.txt", "mimetype": "text/plain", "encoding": "utf-8"}},
    }
    expect(task, f"fulfil:{role}",
           {"event": "complete", "topic": "fulfil", "businessKey": task.get_business_key()})
    return task.complete(variables)


def notify(task: ExternalTask) -> TaskResult:
    role = role_of(task)
    variables = seen(task)
    # The File's content, downloaded with the client's EngineClient (…/variables/label/data).
    label = EngineClient(BASE_URL).get_process_instance_variable(
        task.get_process_instance_id(), "label", with_meta=True)
    variables["label"] = {"type": label["type"], "filename": label["valueInfo"]["filename"],
                          "content": base64.decodebytes(label["value"].encode()).decode()}
    expect(task, f"notify:{role}", {"event": "complete", "topic": "notify",
                                   "businessKey": task.get_business_key(), "variables": variables})
    return task.complete({"notifiedVia": "email"})


def charge(task: ExternalTask) -> TaskResult:
    role = role_of(task)
    if role == "declined":
        expect(task, f"charge:{role}",
               {"event": "bpmnError", "topic": "charge", "businessKey": task.get_business_key()})
        return task.bpmn_error("CARD_DECLINED", "Card declined by issuer",
                               {"declineReason": "insufficient_funds"})
    expect(task, f"charge:{role}",
           {"event": "complete", "topic": "charge", "businessKey": task.get_business_key()})
    return task.complete({"paid": True})


def refund(task: ExternalTask) -> TaskResult:
    role = role_of(task)
    expect(task, f"refund:{role}", {"event": "complete", "topic": "refund",
                                   "businessKey": task.get_business_key(), "variables": seen(task)})
    return task.complete({"refunded": True})


def flaky(task: ExternalTask) -> TaskResult:
    role_of(task)
    result = task.failure("Gift wrap service unavailable",
                          "connection refused\nat wrap (worker.py)",
                          CONFIG["retries"], CONFIG["retryTimeout"])
    expect(task, "flaky:incident" if result.retries == 0 else None,
           {"event": "failure", "topic": "flaky", "businessKey": task.get_business_key(),
            "retries": result.retries})
    return result


HANDLERS = {"fulfil": fulfil, "notify": notify, "charge": charge, "refund": refund, "flaky": flaky}


def main() -> int:
    if not BASE_URL:
        print("usage: python3 worker.py <base_url> <scenario>", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger().addHandler(Confirmations())
    for topic in TOPICS:
        worker = ExternalTaskWorker(worker_id=f"python-worker-{SCENARIO}-{topic}",
                                    base_url=BASE_URL, config=CONFIG)
        threading.Thread(target=worker.subscribe, args=(topic, HANDLERS[topic]),
                         name=f"subscribe-{topic}", daemon=True).start()
    if not finished.wait(timeout=60):
        emit({"event": "error", "what": "timeout", "message": f"still expected: {sorted(expected)}"})
        return 1
    if failed:
        emit({"event": "error", "what": "client", "message": failed[0]})
        return 1
    emit({"event": "done"})
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The subscribe threads block forever in the client's loop: leave without joining them.
    os._exit(code)
