// medcite web page: ask (optionally about an image or DICOM file), open cited passages, stage a report.
// Every value from the server is inserted as text, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function call(url, options) {
  const response = await fetch(url, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : String(body);
    throw new Error(`${response.status}: ${detail}`);
  }
  return body;
}

function status(id, text, isError = false) {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle("error", isError);
}

// ---------------------------------------------------------------- cited passages

async function openSource(sourceId, quote) {
  const params = quote ? `?quote=${encodeURIComponent(quote)}` : "";
  const panel = $("passage");
  try {
    const source = await call(`/v1/sources/${encodeURIComponent(sourceId)}${params}`);
    $("passage-title").textContent = source.title;
    $("passage-section").textContent = [source.section, source.page ? `page ${source.page}` : ""]
      .filter(Boolean).join(" · ");
    $("passage-id").textContent = source.source_id;
    const text = $("passage-text");
    text.replaceChildren();
    if (source.highlight) {
      const { start, end } = source.highlight;
      text.append(source.text.slice(0, start), el("mark", { textContent: source.text.slice(start, end) }),
        source.text.slice(end));
    } else {
      text.append(source.text);
    }
    $("passage-previous").textContent = source.context.previous ? `… ${source.context.previous.text}` : "";
    $("passage-next").textContent = source.context.next ? `${source.context.next.text} …` : "";
    const image = $("passage-image");
    image.hidden = source.kind !== "case";
    if (source.kind === "case") image.src = `/v1/cases/${encodeURIComponent(source.source_id)}/thumbnail`;
    panel.hidden = false;
    panel.scrollIntoView({ behavior: "smooth", block: "nearest" });
  } catch (error) {
    status("ask-status", `Could not open ${sourceId}: ${error.message}`, true);
  }
}

function citeButton(label, sourceId, quote) {
  return el("button", {
    type: "button", className: "cite", textContent: label, title: sourceId,
    dataset: { sourceId, quote: quote || "" },
    onclick: () => openSource(sourceId, quote),
  });
}

// ---------------------------------------------------------------- ask

function renderAnswer(answer) {
  const byNumber = new Map(answer.citations.map((c) => [String(c.n), c]));
  const text = $("answer");
  text.replaceChildren();
  for (const part of answer.answer.split(/(\[\d+\])/)) {
    const number = /^\[(\d+)\]$/.exec(part);
    const citation = number && byNumber.get(number[1]);
    text.append(citation ? citeButton(part, citation.source_id, citation.quote) : part);
  }
  const domain = answer.domain || {};
  $("domain-chosen").textContent =
    `${domain.domain || "all"} (via ${domain.signal || "none"}, ${Number(domain.confidence || 0).toFixed(2)})`;
  $("k-passages").textContent = answer.k?.passages?.k ?? 0;
  $("k-cases").textContent = answer.k?.cases?.k ?? 0;
  $("mode").textContent = answer.mode;

  $("citations").replaceChildren(...answer.citations.map((c) => el("li", { value: c.n },
    citeButton(`${c.title}${c.section ? " — " + c.section : ""}`, c.source_id, c.quote), " ",
    el("q", { textContent: c.quote }))));
  if (!answer.citations.length && answer.closest_sources?.length) {
    $("citations").append(...answer.closest_sources.map((c) => el("li", {},
      "closest source: ", citeButton(c.title || c.source_id, c.source_id, ""))));
  }
  const cases = answer.evidence?.cases || [];
  $("cases").replaceChildren(...cases.map((c) => el("div", { className: "case" },
    el("img", { src: `/v1/cases/${encodeURIComponent(c.id)}/thumbnail`, alt: `similar case ${c.id}`, loading: "lazy" }),
    el("div", {}, el("strong", { textContent: `[${c.n}] ${c.id}` }), ` ${c.domain} · ${Number(c.score).toFixed(3)}`),
    el("div", { textContent: c.text.length > 240 ? `${c.text.slice(0, 240)}…` : c.text }))));
  if (!cases.length) $("cases").append(el("p", { className: "meta", textContent: "No similar cases (no image asked about)." }));
  $("ask-result").hidden = false;
}

$("ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData();
  form.append("question", $("question").value);
  if ($("domain").value.trim()) form.append("domain", $("domain").value.trim());
  const file = $("image").files[0];
  if (file) form.append("image", file, file.name);
  status("ask-status", "Retrieving evidence and checking citations…");
  $("ask-button").disabled = true;
  try {
    renderAnswer(await call("/v1/ask", { method: "POST", body: form }));
    status("ask-status", "Answer ready. Click a citation to read the passage.");
  } catch (error) {
    $("ask-result").hidden = true;
    status("ask-status", error.message, true);
  } finally {
    $("ask-button").disabled = false;
  }
});

// ---------------------------------------------------------------- stage

function renderStaging(result) {
  const stage = result.stage === "undeterminable" ? "stage undeterminable" : `stage ${result.stage}`;
  $("stage-summary").textContent = `c${result.t} ${result.n} ${result.m}, ${stage} (${result.edition}th edition)`;
  $("decisions").tBodies[0].replaceChildren(...result.decisions.map((d) => el("tr", { dataset: { category: d.category } },
    el("td", { textContent: d.category }),
    el("td", { textContent: d.value }),
    el("td", { textContent: d.reason }),
    el("td", {}, ...d.citations.flatMap((c, i) => [i ? ", " : "", citeButton(c.section, c.source_id, c.quote)])))));
  $("if-confirmed").replaceChildren(...result.if_confirmed.map((alt) => el("li", {
    textContent: `If the ${alt.finding} (reported as ${alt.certainty}) is confirmed: ${alt.would_be.t} ${alt.would_be.n} ` +
      `${alt.would_be.m}, stage ${alt.would_be.stage} — “${alt.quote}”`,
  })));
  if (!result.if_confirmed.length) $("if-confirmed").append(el("li", { textContent: "No hedged finding would change it." }));
  $("warnings").replaceChildren(...result.warnings.map((w) => el("li", { textContent: w })));
  if (!result.warnings.length) $("warnings").append(el("li", { textContent: "None." }));
  $("stage-result").hidden = false;
}

$("stage-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  status("stage-status", "Staging…");
  try {
    const body = JSON.stringify({ report: $("report").value, edition: $("edition").value, policy: $("policy").value });
    renderStaging(await call("/v1/stage", { method: "POST", headers: { "content-type": "application/json" }, body }));
    status("stage-status", "Staged. Click a source to read the guideline passage.");
  } catch (error) {
    $("stage-result").hidden = true;
    status("stage-status", error.message, true);
  }
});

$("passage-close").addEventListener("click", () => { $("passage").hidden = true; });
