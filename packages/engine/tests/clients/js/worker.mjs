// The official Camunda JS external-task client (camunda-external-task-client-js, unchanged) serving
// testdata/bpmn/official-clients.bpmn on Carpetti's engine. Run by
// packages/engine/tests/it/official_clients.rs; `npm ci` here first (scripts/test does it).
//
//   node worker.mjs <baseUrl> <scenario>      (or CAMUNDA_BASE_URL / SCENARIO)
//
// <scenario> is the business-key prefix of the three instances to serve: <scenario>-ok,
// <scenario>-declined and <scenario>-flaky. Prints one JSON object per line on stdout for each
// report the engine accepted (the client's logger writes its own, non-JSON lines there too), then
// {"event":"done"} and exits 0 once every expected report was accepted; exits 1 on any error.

import { Client, logger, Variables } from "camunda-external-task-client-js";

const baseUrl = process.argv[2] ?? process.env.CAMUNDA_BASE_URL;
const scenario = process.argv[3] ?? process.env.SCENARIO ?? "js";
if (!baseUrl) {
  console.error("usage: node worker.mjs <baseUrl> <scenario>");
  process.exit(2);
}

const LABEL = "FRAGILE - this side up";
const emit = (event) => console.log(JSON.stringify({ client: "js", ...event }));
const fail = (what, error) => {
  emit({ event: "error", what, message: String(error?.message ?? error) });
  process.exit(1);
};

// What must have been accepted before the worker is done.
const expected = new Set([
  "fulfil:ok",
  "fulfil:declined",
  "fulfil:flaky",
  "notify:ok",
  "charge:ok",
  "charge:declined",
  "refund:declined",
  "flaky:incident",
]);
const reached = (milestone) => {
  expected.delete(milestone);
  if (expected.size === 0) {
    emit({ event: "done" });
    client.stop();
    process.exit(0);
  }
};

const client = new Client({
  baseUrl,
  use: logger,
  workerId: `js-worker-${scenario}`,
  asyncResponseTimeout: 10000,
  lockDuration: 20000,
  maxTasks: 5,
  interval: 50,
});
client.on("poll:error", (e) => fail("poll", e));
client.on("poll:success", (tasks) => {
  if (!Array.isArray(tasks)) {
    fail("poll", "the fetchAndLock answer was not parsed as JSON (its Content-Type must be exactly application/json)");
  }
});
// A task the client could not hand to its subscription (our handlers catch their own errors).
client.on("handler:error", (e) => fail("dispatch", e));
// Never run on when something keeps the expected reports from happening.
setTimeout(() => fail("timeout", `still expected: ${[...expected].join(", ")}`), 60000).unref();

// The instance's role: the business key's suffix.
const roleOf = (task) => {
  const key = task.businessKey ?? "";
  if (!key.startsWith(`${scenario}-`)) {
    throw new Error(`task ${task.id} of foreign instance ${key}`);
  }
  return key.slice(scenario.length + 1);
};

// Every variable as the client decoded it: {name: {type, value}} (Date and Json decoded).
const seen = (task) =>
  Object.fromEntries(
    Object.entries(task.variables.getAllTyped()).map(([name, typed]) => [
      name,
      {
        type: typed.type,
        value:
          typed.value instanceof Date
            ? typed.value.toISOString()
            : typed.type === "file"
              ? typed.value.filename
              : typed.value,
      },
    ])
  );

const handle = (topic, body) =>
  client.subscribe(topic, async ({ task, taskService }) => {
    try {
      await body(task, taskService, roleOf(task));
    } catch (e) {
      fail(`${topic} ${task.businessKey}`, e);
    }
  });

handle("fulfil", async (task, taskService, role) => {
  const vars = new Variables()
    .set("carrier", "DHL Express")
    .set("items", 3)
    .set("trackingId", 12345678901)
    .set("giftWrap", role === "flaky")
    .set("shippedAt", new Date("2026-03-01T10:15:30.250Z"))
    .set("parcel", { sku: "A-1", qty: 3, dims: [10, 20, 5] });
  // A File (its content base64): notify downloads it back through the client's File.load().
  vars.setTyped("label", {
    type: "File",
    value: Buffer.from(LABEL).toString("base64"),
    valueInfo: { filename: "label.txt", mimetype: "text/plain", encoding: "utf-8" },
  });
  if (role === "ok") {
    // An integral number that must stay a Double: typed explicitly.
    vars.setTyped("total", { type: "Double", value: 150, valueInfo: {} });
  } else {
    vars.set("total", role === "flaky" ? 42.25 : 20.5);
  }
  await taskService.complete(task, vars);
  emit({ event: "complete", topic: "fulfil", businessKey: task.businessKey });
  reached(`fulfil:${role}`);
});

handle("notify", async (task, taskService, role) => {
  const variables = seen(task);
  const file = task.variables.get("label");
  await file.load();
  variables.label = { type: "file", filename: file.filename, content: file.content.toString("utf-8") };
  const vars = new Variables().set("notifiedVia", "email");
  await taskService.complete(task, vars);
  emit({ event: "complete", topic: "notify", businessKey: task.businessKey, variables });
  reached(`notify:${role}`);
});

handle("charge", async (task, taskService, role) => {
  if (role === "declined") {
    const vars = new Variables().set("declineReason", "insufficient_funds");
    await taskService.handleBpmnError(task, "CARD_DECLINED", "Card declined by issuer", vars);
    emit({ event: "bpmnError", topic: "charge", businessKey: task.businessKey });
  } else {
    await taskService.complete(task, new Variables().set("paid", true));
    emit({ event: "complete", topic: "charge", businessKey: task.businessKey });
  }
  reached(`charge:${role}`);
});

handle("refund", async (task, taskService, role) => {
  const variables = seen(task);
  await taskService.complete(task, new Variables().set("refunded", true));
  emit({ event: "complete", topic: "refund", businessKey: task.businessKey, variables });
  reached(`refund:${role}`);
});

handle("flaky", async (task, taskService) => {
  // A fresh task has retries null: allow two more attempts, then count down to 0 (an incident).
  const retries = task.retries === null || task.retries === undefined ? 2 : task.retries - 1;
  await taskService.handleFailure(task, {
    errorMessage: "Gift wrap service unavailable",
    errorDetails: `attempt with ${task.retries ?? "no"} retries left\nat wrap (worker.mjs)`,
    retries,
    retryTimeout: 200,
  });
  emit({ event: "failure", topic: "flaky", businessKey: task.businessKey, retries });
  if (retries === 0) {
    reached("flaky:incident");
  }
});
