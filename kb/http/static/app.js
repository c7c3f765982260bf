// kb serve's page for analysts: the canned questions as forms with readable answers (/),
// entity pages (/entity/ID), a graph of who met and partners whom (/graph?entity=ID), and
// search (/search?q=TEXT). Everything it shows comes from the JSON of /api/... (described
// at /openapi.json); nothing is fetched from anywhere but this server.
"use strict";

// -- words of the page, by language (the KB's own names come translated from the server) ----

const WORDS = {
  en: {
    "nav.questions": "Questions", "nav.graph": "Graph", "nav.search": "Search",
    "nav.editor": "SPARQL editor", language: "Language",
    "search.placeholder": "Search names, in any language…",
    ask: "Ask", rows: (n) => `${n} row${n === 1 ? "" : "s"}`, "no rows": "No answer.",
    truncated: "more rows than the server shows", download: "Download",
    "page.rows": (from, to) => `rows ${from}–${to}`, "page.next": "Next rows →", "page.previous": "← Previous rows",
    editor: "Open in the SPARQL editor", federated: "needs federation with Wikidata, off on this server",
    "federated.short": "needs federation (off)", optional: "optional", required: "required",
    "answer for": "Answer for", loading: "Loading…",
    names: "Names", aliases: "Aliases", description: "Description", facts: "Facts, oldest first",
    posts: "Posts", related: "Partners, units and places", wikidata: "Wikidata",
    "graph around": "Graph around", timeline: "Timeline", sources: "Sources",
    "no facts": "No facts.", "not linked": "Not linked to Wikidata.", score: "score",
    holder: "holder", organization: "organization", role: "role", start: "from", end: "until",
    former: "former", as: "as", with: "with", kind: "what", date: "date", quote: "quote",
    partner: "partners", parent: "part of", unit: "units", "based in": "based in",
    within: "within", contains: "contains",
    entity: "Entity", depth: "Depth", draw: "Draw", "whole kb": "the whole KB",
    nodes: (n) => `${n} people and organizations`, edges: (n) => `${n} links`,
    "graph.hint": "Click a person or an organization to open its page.",
    "legend.person": "person", "legend.organization": "organization",
    "legend.fact": "meeting, agreement, cooperation, post", "legend.derived": "partner, unit",
    "search.results": (q) => `Search: ${q}`, "search.none": (q) => `Nothing in the KB is called anything like “${q}”.`,
    "search.hint": "Part of a name, alias or id, or a name with a typing error, in any language.",
    id: "id", class: "class", name: "name", "other names": "other names", matched: "matched",
  },
  ko: {
    "nav.questions": "질문", "nav.graph": "관계도", "nav.search": "검색",
    "nav.editor": "SPARQL 편집기", language: "언어",
    "search.placeholder": "이름 검색 (어떤 언어든)…",
    ask: "묻기", rows: (n) => `${n}행`, "no rows": "답이 없습니다.",
    truncated: "서버가 보여주는 것보다 행이 많음", download: "내려받기",
    "page.rows": (from, to) => `${from}–${to}행`, "page.next": "다음 행 →", "page.previous": "← 이전 행",
    editor: "SPARQL 편집기에서 열기", federated: "위키데이터 연합 질의가 필요함 (이 서버에서는 꺼짐)",
    "federated.short": "연합 질의 필요 (꺼짐)", optional: "선택", required: "필수",
    "answer for": "조건", loading: "불러오는 중…",
    names: "이름", aliases: "별칭", description: "설명", facts: "사실 (오래된 순)",
    posts: "직책", related: "파트너, 소속, 장소", wikidata: "위키데이터",
    "graph around": "관계도 보기:", timeline: "연대기", sources: "출처",
    "no facts": "사실이 없습니다.", "not linked": "위키데이터와 연결되지 않음.", score: "점수",
    holder: "재직자", organization: "조직", role: "직책", start: "시작", end: "종료",
    former: "전직", as: "역할", with: "함께", kind: "종류", date: "날짜", quote: "인용",
    partner: "파트너", parent: "상위 조직", unit: "하위 조직", "based in": "소재지",
    within: "속한 곳", contains: "포함하는 곳",
    entity: "개체", depth: "단계", draw: "그리기", "whole kb": "지식베이스 전체",
    nodes: (n) => `사람과 조직 ${n}`, edges: (n) => `연결 ${n}`,
    "graph.hint": "사람이나 조직을 누르면 그 페이지가 열립니다.",
    "legend.person": "사람", "legend.organization": "조직",
    "legend.fact": "회동, 협약, 협력, 직책", "legend.derived": "파트너, 하위 조직",
    "search.results": (q) => `검색: ${q}`, "search.none": (q) => `“${q}”와 비슷한 이름이 없습니다.`,
    "search.hint": "이름·별칭·식별자의 일부나 철자가 틀린 이름, 어떤 언어든.",
    id: "식별자", class: "클래스", name: "이름", "other names": "다른 이름", matched: "일치",
  },
};
// Answer columns, by the name of the query's variable: the words the page knows.
const COLUMNS = {
  ko: {
    partner: "파트너", "expanding organization": "진출 조직", expansion: "진출", into: "진출 지역",
    "business areas": "사업 분야", status: "상태", quote: "인용", "article headline": "기사 제목",
    date: "날짜", meeting: "회동", place: "장소", participants: "참석자",
    "unnamed participants": "이름 없는 참석자", topics: "주제", occasion: "계기",
    agreement: "협약", parties: "당사자", kind: "유형", purposes: "목적", person: "사람",
    role: "직책", organization: "조직", unit: "소속", start: "시작", former: "전직",
    type: "종류", what: "무엇", "involved as": "역할", fact: "사실", article: "기사",
    published: "발행", publisher: "언론사", property: "속성", value: "값", language: "언어",
    "shared facts": "함께한 사실", link: "연결", times: "횟수", dates: "날짜", places: "장소",
    "partner name": "파트너", via: "근거", "headquarters country": "본사 국가",
  },
};

const HEADLINE = "partners-expanding";
let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("kb.lang") || "en";
let config = null;

function t(key, ...args) {
  const found = (WORDS[lang] && WORDS[lang][key]) ?? WORDS.en[key] ?? key;
  return typeof found === "function" ? found(...args) : found;
}

function columnTitle(column) {
  return (COLUMNS[lang] && COLUMNS[lang][column.title]) || column.title;
}

function element(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

async function getJSON(path, params) {
  const query = new URLSearchParams({ ...(params || {}), lang });
  const response = await fetch(`${path}?${query}`);
  const text = await response.text();
  if (!response.ok) throw new Error(text.replace(/^\d{3} [^:]*: /, "").trim());
  return JSON.parse(text);
}

function view() {
  return document.getElementById("view");
}

function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

function showError(where, err) {
  fill(where, element("p", { className: "error", text: String(err.message || err) }));
}

// -- language ------------------------------------------------------------------------------

function applyWords() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);
  for (const el of document.querySelectorAll("[data-placeholder]")) el.placeholder = t(el.dataset.placeholder);
}

function languageName(tag) {
  try {
    return new Intl.DisplayNames([tag], { type: "language" }).of(tag) || tag;
  } catch {
    return tag;
  }
}

function fillLanguages() {
  const select = document.getElementById("lang");
  const tags = config.languages.map((l) => l.tag);
  if (!tags.includes(lang)) tags.push(lang);
  fill(select, ...tags.map((tag) => element("option", { value: tag, selected: tag === lang }, languageName(tag))));
  select.onchange = async () => {
    lang = select.value;
    localStorage.setItem("kb.lang", lang);
    const url = new URL(location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    await start();
  };
}

// -- pieces shared by every view -------------------------------------------------------------

function link(cell) {
  if (!cell) return "";
  if (cell.href) return element("a", { href: cell.href, lang: cell.lang, title: cell.iri }, cell.text);
  if (cell.date) return element("time", { datetime: cell.text, title: cell.date }, cell.text);
  return element("span", { lang: cell.lang }, cell.text);
}

function sourceLine(source) {
  if (!source) return null;
  const date = (source.date || "").slice(0, 10);
  const parts = [source.headline, source.publisher, date].filter(Boolean);
  const text = `— ${parts.join(", ")}`;
  return element("div", { className: "source" }, source.url ? element("a", { href: source.url }, text) : text);
}

function quoteBlock(cell, source) {
  if (!cell) return "";
  const quote = element("blockquote", { className: "clamped", lang: cell.lang, title: cell.text }, cell.text);
  quote.addEventListener("click", () => quote.classList.toggle("clamped"));
  return [quote, sourceLine(source || cell.source)];
}

function table(headers, rows, quoteColumns) {
  return element(
    "div",
    { className: "table-wrap" },
    element(
      "table",
      { className: "answer" },
      element("thead", {}, element("tr", {}, headers.map((h) => element("th", { scope: "col" }, h)))),
      element(
        "tbody",
        {},
        rows.map((cells) =>
          element("tr", {}, cells.map((c, i) => element("td", { className: quoteColumns.has(i) ? "quote" : null }, c))),
        ),
      ),
    ),
  );
}

// Type-ahead over the KB's names and aliases in every language; the id goes behind the scenes.
function typeahead(input, cls) {
  const list = element("ul", { className: "suggestions", role: "listbox" });
  input.after(list);
  input.setAttribute("autocomplete", "off");
  let hits = [];
  let active = -1;
  let timer = null;
  let asked = 0;
  const close = () => { fill(list); hits = []; active = -1; };
  const choose = (hit) => {
    input.value = hit.name;
    input.dataset.id = hit.id;
    close();
  };
  const show = () => {
    fill(list,
      ...hits.map((hit, i) => {
        const other = Object.values(hit.names).find((n) => n !== hit.name) || "";
        const item = element(
          "li",
          { role: "option", className: i === active ? "active" : null, "data-id": hit.id },
          element("span", { className: "name" }, hit.name),
          other ? element("span", { className: "other" }, other) : null,
          element("span", { className: "class" }, hit.class_label || hit.class),
        );
        item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(hit); });
        return item;
      }),
    );
  };
  input.addEventListener("input", () => {
    delete input.dataset.id;
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) return close();
    timer = setTimeout(async () => {
      const mine = ++asked;
      const params = { q: text, limit: "8" };
      if (cls) params.class = cls;
      try {
        const found = await getJSON("/api/search", params);
        if (mine !== asked) return;
        hits = found.results;
        active = -1;
        show();
      } catch {
        close();
      }
    }, 120);
  });
  input.addEventListener("keydown", (event) => {
    if (!hits.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      active = (active + (event.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      show();
      event.preventDefault();
    } else if (event.key === "Enter" && active >= 0) {
      choose(hits[active]);
      event.preventDefault();
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

// -- the questions ---------------------------------------------------------------------------

function questionsView() {
  const asked = new URLSearchParams(location.search);
  const queries = config.queries;
  const name = asked.get("q") || HEADLINE;
  const query = queries.find((q) => q.name === name) || queries.find((q) => q.name === HEADLINE);
  const ordered = [query, ...queries.filter((q) => q !== query && q.name === HEADLINE), ...queries.filter((q) => q !== query && q.name !== HEADLINE)];
  const list = element(
    "ul",
    { id: "question-list" },
    ordered.map((q) => {
      const off = q.federated && !config.federation;
      return element(
        "li",
        {},
        element(
          "a",
          {
            href: `/?q=${encodeURIComponent(q.name)}`,
            className: [q === query ? "current" : "", off ? "disabled" : ""].join(" ").trim() || null,
            "data-query": q.name,
            title: off ? t("federated") : q.description,
          },
          q.title,
          off ? element("span", { className: "note" }, t("federated.short")) : null,
        ),
      );
    }),
  );
  const panel = element("section", { className: "question" });
  fill(view(), element("div", { id: "questions" }, element("nav", {}, list), panel));
  drawQuestion(panel, query, asked);
}

function drawQuestion(panel, query, asked) {
  const off = query.federated && !config.federation;
  const inputs = {};
  const fields = query.parameters.map((p) => {
    const id = `param-${p.name}`;
    const input = element("input", {
      id, name: p.name, value: asked.get(p.name) ?? p.default ?? "",
      placeholder: p.required ? t("required") : t("optional"), title: p.description,
    });
    inputs[p.name] = input;
    const field = element("div", { className: "field" }, element("label", { for: id }, `${p.label} (${p.name})`), input);
    if (!["string", "integer"].includes(p.type)) typeahead(input, p.type === "Entity" ? null : p.type);
    return field;
  });
  const answer = element("div", { id: "answer" });
  const button = element("button", { type: "submit", disabled: off }, t("ask"));
  const form = element("form", { className: "ask", id: "ask-form" }, fields, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = {};
    for (const [name, input] of Object.entries(inputs)) {
      const value = input.dataset.id || input.value.trim();
      if (value) params[name] = value;
    }
    const url = new URL("/", location.href);
    url.searchParams.set("q", query.name);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    history.pushState(null, "", url);
    ask(query, params, answer, {});
  });
  fill(panel,
    element("h1", {}, query.title),
    element("p", { className: "muted" }, query.description),
    off ? element("p", { className: "error" }, t("federated")) : null,
    form,
    answer,
  );
  if (!off) {
    const params = {};
    for (const [name, input] of Object.entries(inputs)) if (input.value.trim()) params[name] = input.value.trim();
    const page = {};
    for (const key of ["limit", "offset"]) if (asked.get(key)) page[key] = asked.get(key);
    ask(query, params, answer, page);
  }
}

// A page of the answer (the server's page size unless limit= is in the address), with links
// to the previous and next pages: addresses of this page with offset= (and limit=) set.
function pageLink(query, params, found, offset, label, where) {
  const page = { offset: String(offset) };
  if (found.limit !== config.pageSize) page.limit = String(found.limit);
  const url = new URL("/", location.href);
  url.searchParams.set("q", query.name);
  for (const [k, v] of Object.entries({ ...params, ...page })) url.searchParams.set(k, v);
  const a = element("a", { href: url.pathname + url.search, className: "page-link" }, label);
  a.addEventListener("click", (event) => {
    event.preventDefault();
    history.pushState(null, "", url);
    ask(query, params, where, page);
  });
  return a;
}

async function ask(query, params, where, page) {
  fill(where, element("p", { className: "hint" }, t("loading")));
  let found;
  try {
    found = await getJSON(`/api/answer/${encodeURIComponent(query.name)}`, { ...params, ...page });
  } catch (err) {
    return showError(where, err);
  }
  const paging = [
    found.previous !== null ? pageLink(query, params, found, found.previous, t("page.previous"), where) : null,
    found.rows.length && (found.offset || found.next !== null) ? element("span", { className: "page-rows" }, t("page.rows", found.offset + 1, found.offset + found.rows.length)) : null,
    found.next !== null ? pageLink(query, params, found, found.next, t("page.next"), where) : null,
  ].filter((x) => x);
  const pager = paging.length ? element("nav", { className: "pager" }, ...paging.flatMap((x, i) => (i ? [" ", x] : [x]))) : null;
  const bound = Object.entries(found.bound).map(([name, cell]) => element("span", {}, `${name} = `, link(cell)));
  const bar = element(
    "div",
    { className: "answer-bar" },
    element("strong", { className: "count" }, t("rows", found.rows.length)),
    bound.length ? element("span", { className: "bound" }, `${t("answer for")}: `, ...bound.flatMap((b, i) => (i ? [", ", b] : [b]))) : null,
    found.truncated ? element("span", { className: "error" }, t("truncated")) : null,
    element("span", {}, `${t("download")}: `, element("a", { href: found.downloads.csv, download: `${query.name}.csv` }, "CSV"), " · ",
      element("a", { href: found.downloads.json, download: `${query.name}.json` }, "JSON")),
    element("a", { href: found.editor, className: "editor-link" }, t("editor")),
  );
  if (!found.rows.length) {
    fill(where, bar, element("p", { className: "hint" }, t("no rows")), pager);
    return;
  }
  const quotes = new Set(found.columns.map((c, i) => (["quote", "quotes"].includes(c.name) ? i : -1)).filter((i) => i >= 0));
  const rows = found.rows.map((cells) => cells.map((cell, i) => (quotes.has(i) ? quoteBlock(cell) : link(cell))));
  fill(where, bar, table(found.columns.map(columnTitle), rows, quotes), pager);
}

// -- entity pages ----------------------------------------------------------------------------

async function entityView(id) {
  fill(view(), element("p", { className: "hint" }, t("loading")));
  let found;
  try {
    found = await getJSON(`/api/entity/${encodeURIComponent(id)}`);
  } catch (err) {
    return showError(view(), err);
  }
  document.title = `${found.name} · event-kb`;
  const names = Object.entries(found.names).sort(([a], [b]) => (a === lang ? -1 : b === lang ? 1 : a.localeCompare(b)));
  const aliases = Object.entries(found.aliases);
  const isOrg = found.classes.includes("Organization");
  const questionLinks = [
    ["timeline", "entity"], ["sources", "entity"], ...(isOrg ? [["partners", "org"], ["people", "org"], ["agreements", "org"]] : []),
    ...(found.classes.includes("Person") ? [["meetings", "person"]] : []),
  ].map(([q, param]) => {
    const title = (config.queries.find((x) => x.name === q) || { title: q }).title;
    return element("a", { href: `/?q=${q}&${param}=${encodeURIComponent(found.id)}` }, title);
  });
  const facts = found.facts.map((f) => [
    link(f.date),
    element("span", {}, f.kind),
    link(f.fact),
    element("span", {}, f.as.join(", ")),
    element("span", {}, ...f.with.flatMap((w, i) => [i ? ", " : "", link(w), w.as ? element("span", { className: "muted" }, ` (${w.as})`) : ""])),
    quoteBlock(f.quote, f.source),
  ]);
  const posts = found.posts.map((p) => [
    link(p.holder), link(p.role), link(p.organization), link(p.start), link(p.end), p.former ? t("former") : "",
  ]);
  const related = Object.entries(found.related).map(([relation, others]) =>
    element("div", {}, element("strong", {}, `${t(relation)}: `), ...others.flatMap((o, i) => [i ? ", " : "", link(o)])),
  );
  const wikidata = found.wikidata.length
    ? found.wikidata.map((w) =>
        element("div", {},
          w.item ? element("a", { href: w.item, className: "iri" }, `wd:${w.qid}`) : "",
          w.status ? ` — ${w.status}` : "",
          w.score !== null ? ` (${t("score")} ${w.score.toFixed(2)})` : "",
          w.method ? element("span", { className: "muted" }, ` · ${w.method}`) : ""))
    : [element("p", { className: "muted" }, t("not linked"))];
  fill(view(),
    element("article", { className: "entity", "data-entity": found.id },
      element("h1", { lang }, found.name),
      element("div", { className: "badges" },
        found.class_labels.map((label, i) => element("span", { className: `badge ${found.classes[i]}` }, label)),
        element("code", { className: "iri" }, found.compact)),
      element("h2", {}, t("names")),
      element("dl", { className: "names" }, names.flatMap(([tag, name]) => [element("dt", {}, languageName(tag || "und")), element("dd", { lang: tag }, name)]),
        aliases.length ? [element("dt", {}, t("aliases")), element("dd", {}, aliases.flatMap(([tag, list]) => list.map((a) => element("span", { lang: tag }, a))).flatMap((a, i) => (i ? [", ", a] : [a])))] : []),
      ...Object.entries(found.descriptions).slice(0, 1).map(([tag, text]) => element("p", { lang: tag }, text)),
      element("div", { className: "actions" },
        element("a", { href: found.graph, className: "graph-link" }, `${t("graph around")} ${found.name}`), ...questionLinks),
      element("h2", {}, t("facts")),
      facts.length
        ? table([t("date"), t("kind"), t("name"), t("as"), t("with"), t("quote")], facts, new Set([5]))
        : element("p", { className: "muted" }, t("no facts")),
      posts.length ? [element("h2", {}, t("posts")), table([t("holder"), t("role"), t("organization"), t("start"), t("end"), ""], posts, new Set())] : null,
      related.length ? [element("h2", {}, t("related")), ...related] : null,
      element("h2", {}, t("wikidata")),
      ...wikidata,
    ),
  );
}

// -- the graph -------------------------------------------------------------------------------

const EDGE_DASHED = new Set(["partnerOf", "subOrganizationOf"]);

async function graphView() {
  const asked = new URLSearchParams(location.search);
  const input = element("input", { id: "graph-entity", name: "entity", value: asked.get("entity") || "", placeholder: t("whole kb") });
  const depth = element("select", { id: "graph-depth", name: "depth" },
    ["1", "2"].map((d) => element("option", { value: d, selected: (asked.get("depth") || "1") === d }, d)));
  const form = element("form", { className: "graph-controls", id: "graph-form" },
    element("div", { className: "field" }, element("label", { for: "graph-entity" }, t("entity")), input),
    element("div", { className: "field", style: "min-width:4em" }, element("label", { for: "graph-depth" }, t("depth")), depth),
    element("button", { type: "submit" }, t("draw")));
  typeahead(input, null);
  const status = element("div", { id: "graph-status" });
  const box = element("div", { id: "graph" });
  const legend = element("div", { className: "legend" },
    element("span", {}, element("span", { className: "swatch", style: "background:var(--person)" }), t("legend.person")),
    element("span", {}, element("span", { className: "swatch", style: "background:var(--organization)" }), t("legend.organization")),
    element("span", {}, element("span", { className: "line" }), t("legend.fact")),
    element("span", {}, element("span", { className: "line dashed" }), t("legend.derived")),
    element("span", {}, t("graph.hint")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL("/graph", location.href);
    const value = input.dataset.id || input.value.trim();
    if (value) url.searchParams.set("entity", value);
    url.searchParams.set("depth", depth.value);
    history.pushState(null, "", url);
    draw(value, depth.value, status, box);
  });
  fill(view(), element("h1", {}, t("nav.graph")), form, legend, status, box);
  await draw(asked.get("entity") || "", asked.get("depth") || "1", status, box);
}

async function draw(entity, depth, status, box) {
  fill(status, element("p", { className: "hint" }, t("loading")));
  let found;
  try {
    found = await getJSON("/api/graph", entity ? { entity, depth } : { depth });
  } catch (err) {
    fill(box);
    return showError(status, err);
  }
  const focus = found.nodes.find((n) => n.data.id === found.focus);
  fill(status, element("p", { className: "muted", id: "graph-summary" },
    `${focus ? `${t("graph around")} ${focus.data.label}` : t("whole kb")}: ${t("nodes", found.nodes.length)}, ${t("edges", found.edges.length)}`));
  const cy = cytoscape({
    container: box,
    elements: { nodes: found.nodes, edges: found.edges },
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        label: "data(label)", "font-size": 17, "text-valign": "center", "text-halign": "center",
        "font-family": getComputedStyle(document.documentElement).fontFamily,
        shape: "round-rectangle", width: "label", height: 30, padding: "9px", "text-wrap": "ellipsis", "text-max-width": "180px", color: "#111",
        "background-color": "#ddd", "border-width": 1, "border-color": "#555" } },
      { selector: 'node[class = "Person"]', style: { "background-color": "#f2b134" } },
      { selector: 'node[class = "Organization"]', style: { "background-color": "#3b7dd8", color: "#fff" } },
      { selector: "node[?focus]", style: { "border-width": 4, "border-color": "#111", "font-weight": "bold" } },
      { selector: "edge", style: {
        label: "data(label)", "font-size": 12, color: "#444", width: 1.5, "line-color": "#888",
        "curve-style": "bezier", "text-rotation": "autorotate", "text-background-color": "#fff",
        "text-background-opacity": 0.85, "text-background-padding": "1px" } },
      { selector: 'edge[kind = "partnerOf"], edge[kind = "subOrganizationOf"]', style: { "line-style": "dashed", "line-color": "#aaa" } },
    ],
    // the entity in the middle, each step out a ring around it; the whole KB: the most
    // connected in the middle
    layout: {
      name: "concentric", avoidOverlap: true, animate: false, padding: 30, minNodeSpacing: 50,
      concentric: found.focus ? (n) => 10 - n.data("depth") : (n) => n.degree(),
      levelWidth: found.focus ? () => 1 : (nodes) => Math.max(1, nodes.maxDegree() / 2),
      spacingFactor: found.focus ? 1 : 0.7,
    },
  });
  cy.on("tap", "node", (event) => { location.href = event.target.data("href"); });
  window.kbGraph = cy; // for tests and the console
  document.body.dataset.graph = `${found.focus || ""}:${depth}`;
}

// -- search ------------------------------------------------------------------------------------

async function searchView() {
  const q = new URLSearchParams(location.search).get("q") || "";
  document.getElementById("search-input").value = q;
  if (!q) {
    fill(view(), element("h1", {}, t("nav.search")), element("p", { className: "hint" }, t("search.hint")));
    return;
  }
  fill(view(), element("p", { className: "hint" }, t("loading")));
  let found;
  try {
    found = await getJSON("/api/search", { q, limit: "50" });
  } catch (err) {
    return showError(view(), err);
  }
  const heading = element("h1", {}, t("search.results", q));
  if (!found.results.length) {
    fill(view(), heading, element("p", { className: "hint" }, t("search.none", q)));
    return;
  }
  const rows = found.results.map((hit) => [
    element("a", { href: hit.href, className: "hit" }, hit.name),
    element("span", {}, hit.class_label || hit.class),
    element("span", {}, [...Object.values(hit.names), ...Object.values(hit.aliases).flat()].filter((n) => n !== hit.name).join(", ")),
    element("span", {}, hit.matched),
    element("code", { className: "iri" }, hit.id),
  ]);
  fill(view(), heading, element("p", { className: "hint" }, t("search.hint")),
    table([t("name"), t("class"), t("other names"), t("matched"), t("id")], rows, new Set()));
}

// -- start -------------------------------------------------------------------------------------

function currentNav(path) {
  if (path.startsWith("/graph")) return "graph";
  if (path.startsWith("/search")) return "search";
  if (path.startsWith("/entity/")) return null;
  return "questions";
}

async function start() {
  try {
    config = await getJSON("/api/config");
  } catch (err) {
    return showError(view(), err);
  }
  applyWords();
  fillLanguages();
  const path = location.pathname;
  const nav = currentNav(path);
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("current", a.dataset.nav === nav);
  document.title = "event-kb";
  if (path.startsWith("/entity/")) return entityView(decodeURIComponent(path.slice("/entity/".length)));
  if (path.startsWith("/graph")) return graphView();
  if (path.startsWith("/search")) return searchView();
  return questionsView();
}

typeahead(document.getElementById("search-input"), null);
document.getElementById("search-box").addEventListener("submit", (event) => {
  const input = document.getElementById("search-input");
  if (input.dataset.id) {
    event.preventDefault();
    location.href = `/entity/${encodeURIComponent(input.dataset.id)}`;
  }
});
window.addEventListener("popstate", start);
start();
