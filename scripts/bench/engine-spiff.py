#!/usr/bin/env python3
"""engine-spiff.py MODEL.bpmn PROCESS_ID INSTANCES [WARMUP]: the SpiffWorkflow peer of
`carpetti bench engine`.

Runs INSTANCES instances of the process, one after another, in memory, after WARMUP instances that
are not timed. The model is written by `carpetti bench engine` from the same topology as ours:
its tasks are plain `bpmn:serviceTask`s with no handler, which SpiffWorkflow leaves STARTED until
the driver calls `task.complete()` (the analogue of an external task completed by a worker), and
its one condition is a Python expression. Instance i starts with amount = 150 when i is even and
50 when odd, so both branches of the gateway run. The specification is parsed once.

Prints one JSON object: {"engine", "version", "runtime", "instances", "warmup", "tasks",
"seconds", "instances_per_sec", "tasks_per_sec", "task_counts" (completions by task id),
"peak_rss_mb"}.
"""

import importlib.metadata
import json
import platform
import sys
import time

try:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState
except ImportError as error:
    sys.exit(
        f"SpiffWorkflow is not installed ({error}): "
        "pip install -r scripts/requirements-engine-peers.txt"
    )


def peak_rss_mb():
    """This process's peak RSS (VmHWM: unlike ru_maxrss it does not carry the parent's peak over
    exec), or None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_instance(spec, amount, counts):
    """One instance to its end; counts the tasks it completed by name; returns how many."""
    workflow = BpmnWorkflow(spec)
    workflow.get_next_task(state=TaskState.READY).data["amount"] = amount
    workflow.do_engine_steps()
    done = 0
    while (task := workflow.get_next_task(state=TaskState.STARTED)) is not None:
        name = task.task_spec.name
        counts[name] = counts.get(name, 0) + 1
        task.complete()
        workflow.do_engine_steps()
        done += 1
    if not workflow.is_completed():
        waiting = [t.task_spec.name for t in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)]
        raise RuntimeError(f"the instance stopped with no open task, waiting at {waiting}")
    return done


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.split("\n\n")[0])
    path, process_id, instances = sys.argv[1], sys.argv[2], int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    parser = BpmnParser()
    parser.add_bpmn_file(path)
    spec = parser.get_spec(process_id)

    ignored = {}
    for i in range(warmup):
        run_instance(spec, 150 if i % 2 == 0 else 50, ignored)

    counts = {}
    tasks = 0
    started = time.perf_counter()
    for i in range(instances):
        tasks += run_instance(spec, 150 if i % 2 == 0 else 50, counts)
    seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "engine": "SpiffWorkflow",
                "version": importlib.metadata.version("SpiffWorkflow"),
                "runtime": f"{platform.python_implementation()} {platform.python_version()}",
                "instances": instances,
                "warmup": warmup,
                "tasks": tasks,
                "seconds": seconds,
                "instances_per_sec": instances / max(seconds, 1e-9),
                "tasks_per_sec": tasks / max(seconds, 1e-9),
                "task_counts": counts,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
