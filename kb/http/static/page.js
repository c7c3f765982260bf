// The query page: YASGUI pointed at this server, and the canned queries one click away.
// A click on a canned query asks the server for its text with the parameters written in
// (GET /queries/NAME.rq?param=value), puts it in the editor and runs it, so what runs is
// plain SPARQL that can be edited further. /editor?run=NAME&param=value does the same when
// the page opens (the questions page links here so), with the parameters given.
"use strict";

const endpoint = new URL("sparql", document.baseURI).href;
document.getElementById("endpoint").textContent = endpoint;

// Offline: keep only the autocompleters that need no network (the class and property
// completers ask a web service).
const Yasqe = Yasgui.Yasqe || (Yasgui.default && Yasgui.default.Yasqe);
if (Yasqe && Yasqe.defaults) {
  Yasqe.defaults.autocompleters = ["variables", "prefixes"];
}
const YasguiClass = Yasgui.default || Yasgui;

const yasgui = new YasguiClass(document.getElementById("yasgui"), {
  requestConfig: { endpoint: endpoint, method: "POST" },
  endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
  copyEndpointOnNewTab: true,
  persistenceId: null,
  populateFromUrl: false,
});

function element(tag, attrs, ...children) {
  const el = document.createElement(tag);
  Object.assign(el, attrs || {});
  el.append(...children);
  return el;
}

async function runCanned(query, inputs, status) {
  const params = new URLSearchParams();
  for (const [name, input] of Object.entries(inputs)) {
    if (input.value.trim()) params.set(name, input.value.trim());
  }
  status.textContent = "";
  const response = await fetch(`queries/${encodeURIComponent(query.name)}.rq?${params}`);
  const text = await response.text();
  if (!response.ok) {
    status.textContent = text;
    return;
  }
  const tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(text);
  await tab.query();
}

function exampleParameters(query) {
  // "kb ask NAME --org NVIDIA --region "Middle East"" → {org: "NVIDIA", region: "Middle East"}
  const found = {};
  const re = /--([a-z_-]+)\s+(?:"([^"]*)"|(\S+))/g;
  let m;
  while ((m = re.exec(query.example || "")) !== null) {
    found[m[1].replace(/-/g, "_")] = m[2] !== undefined ? m[2] : m[3];
  }
  return found;
}

async function listCanned() {
  const list = document.getElementById("canned-list");
  const response = await fetch("queries");
  const queries = await response.json();
  list.replaceChildren();
  const runners = {};
  const inputsOf = {};
  for (const query of queries) {
    const example = exampleParameters(query);
    const inputs = {};
    const status = element("div", { className: "error" });
    const button = element("button", { className: "run", title: query.description }, query.name);
    button.dataset.query = query.name;
    const item = element("li", {}, button, element("div", { className: "title" }, query.title));
    for (const p of query.parameters) {
      const input = element("input", {
        name: p.name,
        value: example[p.name] || p.default || "",
        placeholder: p.required ? `${p.type} (required)` : `${p.type} (optional)`,
        title: p.description,
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") runCanned(query, inputs, status);
      });
      inputs[p.name] = input;
      item.append(element("label", {}, `${p.name}: `, input));
    }
    item.append(status);
    button.addEventListener("click", () => runCanned(query, inputs, status));
    runners[query.name] = () => runCanned(query, inputs, status);
    inputsOf[query.name] = inputs;
    list.append(item);
  }
  const asked = new URLSearchParams(location.search);
  const wanted = asked.get("run");
  if (wanted && runners[wanted]) {
    for (const [name, value] of asked) {
      if (name !== "run" && inputsOf[wanted][name]) inputsOf[wanted][name].value = value;
    }
    runners[wanted]();
  }
}

listCanned().catch((err) => {
  document.getElementById("canned-list").textContent = `cannot list the queries: ${err}`;
});
