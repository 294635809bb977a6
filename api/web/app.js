// The researchers' page: search with facets and charts, project list and dossiers, in Turkish or English.
"use strict";

const FACETS_SHOWN = ["country", "sector", "program", "activity", "organization", "language", "source"];
const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

const state = {
  lang: localStorage.getItem("kume-lang") || ((navigator.language || "tr").startsWith("en") ? "en" : "tr"),
  q: "",
  sort: "relevance",
  dateFrom: "",
  dateTo: "",
  filters: {},
  pages: 1,
  perPage: PAGE_SIZE,
  cursor: null,
  rendered: null, // the search (without its page count) on screen, and how many pages of it
  key: sessionStorage.getItem("kume-key") || "",
  lastResult: null,
  lastTimeline: null,
  projects: [],
};

const charts = { timeline: null, countries: null };
const $ = (id) => document.getElementById(id);
const t = (key) => window.KUME_STRINGS[state.lang][key];

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// A link to a document's page, or its text alone: only http(s) URLs become links (a javascript: or data:
// URL in a link would run in this page's origin when clicked).
function sourceLink(url, text) {
  const label = escapeHtml(text || url);
  if (!/^https?:\/\//i.test(String(url))) return `<span class="unlinked">${label}</span>`;
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}

// A highlight is plain text with the offsets of the matched words: the paragraph is built from text
// nodes and <mark>s only, so crawled text can never inject markup.
function highlightParagraph(fragment) {
  const paragraph = document.createElement("p");
  paragraph.className = "highlight";
  paragraph.append("… ");
  let position = 0;
  for (const { start, end } of fragment.matches) {
    paragraph.append(fragment.text.slice(position, start));
    const mark = document.createElement("mark");
    mark.textContent = fragment.text.slice(start, end);
    paragraph.append(mark);
    position = end;
  }
  paragraph.append(fragment.text.slice(position), " …");
  return paragraph;
}

function countryName(code) {
  try {
    return new Intl.DisplayNames([state.lang], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

function languageName(code) {
  try {
    return new Intl.DisplayNames([state.lang], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}

function valueLabel(facet, value) {
  if (facet === "country") return countryName(value);
  if (facet === "language") return languageName(value);
  if (facet === "activity") return t("activity")[value] || value;
  if (facet === "project") {
    const project = state.projects.find((p) => p.id === value);
    return project ? project.name : value;
  }
  return value;
}

function filterParams() {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.dateFrom) params.set("date_from", state.dateFrom);
  if (state.dateTo) params.set("date_to", state.dateTo);
  for (const [facet, values] of Object.entries(state.filters)) {
    for (const value of values) params.append(facet, value);
  }
  return params;
}

function requestHeaders(accept) {
  const headers = { Accept: accept };
  if (state.key) headers["X-API-Key"] = state.key;
  return headers;
}

async function getJson(path, params) {
  const response = await fetch(params ? `${path}?${params}` : path, { headers: requestHeaders("application/json") });
  const payload = await response.json().catch(() => ({ detail: response.statusText }));
  if (response.status === 401) throw new Error(t("key_needed"));
  if (!response.ok) throw new Error(typeof payload.detail === "string" ? payload.detail : JSON.stringify(payload.detail));
  return payload;
}

// -- the search in the URL ------------------------------------------------------------
// "#/?q=…&country=KZ&sort=date_desc&pages=2": a search can be bookmarked, shared, and walked back and forth.

function searchParams() {
  const params = filterParams();
  if (state.sort !== "relevance") params.set("sort", state.sort);
  if (state.perPage !== PAGE_SIZE) params.set("per_page", String(state.perPage));
  if (state.pages > 1) params.set("pages", String(state.pages));
  return params;
}

function searchHash() {
  const params = searchParams();
  return params.toString() ? `#/?${params}` : "#/";
}

function readSearchHash(hash) {
  const params = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
  state.q = params.get("q") || "";
  state.sort = params.get("sort") || "relevance";
  state.dateFrom = params.get("date_from") || "";
  state.dateTo = params.get("date_to") || "";
  state.pages = Math.max(1, Number.parseInt(params.get("pages") || "1", 10) || 1);
  const perPage = Number.parseInt(params.get("per_page") || String(PAGE_SIZE), 10) || PAGE_SIZE;
  state.perPage = Math.min(MAX_PAGE_SIZE, Math.max(1, perPage));
  state.filters = {};
  for (const facet of FACETS_SHOWN) {
    const values = params.getAll(facet);
    if (values.length) state.filters[facet] = values;
  }
  $("q").value = state.q;
  $("sort").value = state.sort;
  $("date_from").value = state.dateFrom;
  $("date_to").value = state.dateTo;
}

// A change of the search goes through the URL: the hashchange that follows runs it.
function navigate() {
  const hash = searchHash();
  if (location.hash === hash) route();
  else location.hash = hash;
}

function showError(error) {
  const box = $("error");
  if (!error) {
    box.hidden = true;
    return;
  }
  box.textContent = `${t("error_prefix")}: ${error.message}`;
  box.hidden = false;
}

// -- language -------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const value = t(el.dataset.i18n);
    if (typeof value === "string") el.textContent = value;
  }
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const button of document.querySelectorAll(".lang button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
}

function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("kume-lang", lang);
  applyLanguage();
  route();
}

// -- search -------------------------------------------------------------------

// Each new search bumps this; answers of an older search that arrive late are dropped.
let searchGeneration = 0;

// The search as the URL has it, without the page count: what decides whether shown hits still hold.
function searchKey() {
  const params = searchParams();
  params.delete("pages");
  return params.toString();
}

async function runSearch({ append = false } = {}) {
  const generation = append ? searchGeneration : ++searchGeneration;
  const params = filterParams();
  // A restored URL asks for all its pages at once (the backend serves at most 100 hits a page).
  params.set("size", String(append ? state.perPage : Math.min(MAX_PAGE_SIZE, state.perPage * state.pages)));
  params.set("sort", state.sort);
  for (const facet of FACETS_SHOWN) params.append("facets", facet);
  if (append && state.cursor) params.set("cursor", state.cursor);
  try {
    const result = await getJson("/v1/search", params);
    if (generation !== searchGeneration) return;
    showError(null);
    state.cursor = result.next_cursor;
    state.rendered = { key: searchKey(), pages: state.pages };
    if (!append) state.lastResult = result;
    renderHits(result, append);
    if (!append) {
      renderFacets(result.facets);
      renderActiveFilters();
      renderCharts(result, generation);
      updateExportLinks();
    }
  } catch (error) {
    showError(error);
  }
}

function renderHits(result, append) {
  $("total").textContent = result.total ? t("total")(result.total) : t("no_hits");
  const list = $("hits");
  if (!append) list.replaceChildren();
  for (const hit of result.hits) {
    const item = document.createElement("li");
    item.className = "hit";
    const meta = [hit.published, hit.source, ...hit.country.map(countryName), ...hit.program].filter(Boolean);
    const activities = hit.activity.map((a) => t("activity")[a] || a);
    item.innerHTML = `
      <h3>${sourceLink(hit.url, hit.title)}</h3>
      <p class="meta">${meta.map(escapeHtml).join(" · ")}</p>
      <p class="tags">${activities.map((a) => `<span class="tag">${escapeHtml(a)}</span>`).join("")}</p>`;
    if (hit.matched.length) {
      const why = document.createElement("p");
      why.className = "meta matched";
      why.textContent = hit.matched.map((m) => `${m.named_as} → ${valueLabel(m.facet, m.value)}`).join(" · ");
      item.querySelector(".tags").after(why);
    }
    item.querySelector(".tags").before(...hit.highlights.map(highlightParagraph));
    list.append(item);
  }
  $("more").hidden = !state.cursor;
}

function renderFacets(facets) {
  const aside = $("facets");
  aside.replaceChildren();
  for (const facet of FACETS_SHOWN) {
    const counts = facets[facet] || [];
    if (!counts.length) continue;
    const group = document.createElement("fieldset");
    group.className = "facet";
    group.dataset.facet = facet;
    const legend = document.createElement("legend");
    legend.textContent = t("facet")[facet];
    group.append(legend);
    for (const { value, count } of counts) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = value;
      box.checked = (state.filters[facet] || []).includes(value);
      box.addEventListener("change", () => toggleFilter(facet, value));
      const text = document.createElement("span");
      text.textContent = valueLabel(facet, value);
      text.title = text.textContent;
      const number = document.createElement("span");
      number.className = "count";
      number.textContent = count;
      label.append(box, text, number);
      group.append(label);
    }
    aside.append(group);
  }
}

function renderActiveFilters() {
  const box = $("active-filters");
  box.replaceChildren();
  for (const [facet, values] of Object.entries(state.filters)) {
    for (const value of values) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = `${t("facet")[facet]}: ${valueLabel(facet, value)} ×`;
      chip.addEventListener("click", () => toggleFilter(facet, value));
      box.append(chip);
    }
  }
}

function toggleFilter(facet, value) {
  const values = new Set(state.filters[facet] || []);
  if (values.has(value)) values.delete(value);
  else values.add(value);
  if (values.size) state.filters[facet] = [...values];
  else delete state.filters[facet];
  state.pages = 1;
  navigate();
}

function updateExportLinks() {
  for (const format of ["csv", "ndjson"]) {
    const params = filterParams();
    params.set("format", format);
    $(`export-${format}`).href = `/v1/export?${params}`;
  }
}

// A link cannot send the key header: with a key, an export is fetched and handed to the browser as a file.
async function downloadWithKey(event) {
  if (!state.key) return;
  event.preventDefault();
  const link = event.currentTarget;
  try {
    const response = await fetch(link.href, { headers: requestHeaders("*/*") });
    if (!response.ok) throw new Error(response.status === 401 ? t("key_needed") : `HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = `kume-export.${link.id.replace("export-", "")}`;
    save.click();
    URL.revokeObjectURL(url);
  } catch (error) {
    showError(error);
  }
}

// -- charts -------------------------------------------------------------------

const PALETTE = ["#1f6feb", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6cab", "#e07a5f", "#3d405b", "#81b29a", "#f2cc8f", "#6c757d"];

// The country chart reuses the search's own country facet counts; only the timeline needs a request.
async function renderCharts(result, generation) {
  drawCountries((result.facets.country || []).slice(0, 15));
  const params = filterParams();
  params.set("interval", "month");
  params.set("date_field", "event");
  params.set("split_by", "activity");
  try {
    const series = await getJson("/v1/stats/timeseries", params);
    if (generation !== searchGeneration) return;
    state.lastTimeline = series.buckets;
    drawTimeline(series.buckets);
  } catch (error) {
    showError(error);
  }
}

// Months without activity still get their (empty) place on the axis, so gaps in time show as gaps.
function continuousMonths(periods) {
  if (!periods.length) return periods;
  const monthIndex = (period) => {
    const [year, month] = period.split("-").map(Number);
    return year * 12 + month - 1;
  };
  const months = [];
  for (let index = monthIndex(periods[0]); index <= monthIndex(periods[periods.length - 1]); index++) {
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`);
  }
  return months;
}

function drawTimeline(buckets) {
  const periods = continuousMonths([...new Set(buckets.map((b) => b.period))].sort());
  const splits = [...new Set(buckets.map((b) => b.split || "other"))].sort();
  const datasets = splits.map((split, i) => ({
    label: t("activity")[split] || split,
    backgroundColor: PALETTE[i % PALETTE.length],
    data: periods.map((p) => buckets.filter((b) => b.period === p && (b.split || "other") === split).reduce((n, b) => n + b.count, 0)),
  }));
  charts.timeline?.destroy();
  charts.timeline = new Chart($("chart-timeline"), {
    type: "bar",
    data: { labels: periods, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    },
  });
}

function drawCountries(values) {
  charts.countries?.destroy();
  charts.countries = new Chart($("chart-countries"), {
    type: "bar",
    data: {
      labels: values.map((v) => countryName(v.value)),
      datasets: [{ label: t("chart_countries"), data: values.map((v) => v.count), backgroundColor: PALETTE[0] }],
    },
    options: {
      animation: false,
      indexAxis: "y",
      maintainAspectRatio: false,
      scales: { x: { ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
      onClick: (_, elements) => {
        if (elements.length) toggleFilter("country", values[elements[0].index].value);
      },
    },
  });
}

// -- suggestions -------------------------------------------------------------------

let suggestTimer = null;
function suggest() {
  clearTimeout(suggestTimer);
  const prefix = $("q").value.trim().split(/\s+/).pop() || "";
  if (prefix.length < 2) return;
  suggestTimer = setTimeout(async () => {
    const kinds = ["organization", "project", "country", "sector"];
    const answers = await Promise.all(
      kinds.map((kind) =>
        getJson("/v1/suggest", new URLSearchParams({ kind, prefix, size: "5", lang: state.lang })).catch(() => []),
      ),
    );
    const list = $("suggestions");
    list.replaceChildren();
    for (const suggestion of answers.flat()) {
      const option = document.createElement("option");
      option.value = suggestion.label;
      list.append(option);
    }
  }, 200);
}

// -- projects -------------------------------------------------------------------

async function loadProjects() {
  try {
    state.projects = await getJson("/v1/projects");
  } catch (error) {
    showError(error);
  }
}

function renderProjects() {
  const wanted = $("project-filter").value.toLocaleLowerCase(state.lang);
  const rows = $("project-rows");
  rows.replaceChildren();
  const shown = state.projects.filter((p) => `${p.name} ${p.code || ""}`.toLocaleLowerCase(state.lang).includes(wanted));
  if (!shown.length) {
    const row = document.createElement("tr");
    row.innerHTML = `<td colspan="4">${escapeHtml(t("no_projects"))}</td>`;
    rows.append(row);
  }
  for (const project of shown) {
    const row = document.createElement("tr");
    row.innerHTML = `<td><a href="#/project/${encodeURIComponent(project.id)}">${escapeHtml(project.name)}</a></td>
      <td>${escapeHtml(project.code || "")}</td><td>${escapeHtml(project.program || "")}</td>
      <td>${project.document_count}</td>`;
    rows.append(row);
  }
}

async function renderDossier(projectId) {
  let dossier;
  try {
    dossier = await getJson(`/v1/projects/${encodeURIComponent(projectId)}`);
  } catch (error) {
    $("dossier-name").textContent = error.message;
    return;
  }
  $("dossier-name").textContent = dossier.name;
  const facts = [
    ["program", dossier.program],
    ["code", dossier.code],
    ["coordinator", dossier.coordinator],
    ["sector", dossier.sectors.join(", ")],
    ["countries", dossier.countries.map(countryName).join(", ")],
    ["activities", dossier.activities.map((a) => `${t("activity")[a.value] || a.value} (${a.count})`).join(", ")],
  ];
  $("dossier-facts").innerHTML = facts
    .filter(([, value]) => value)
    .map(([key, value]) => `<dt>${escapeHtml(t(key))}</dt><dd>${escapeHtml(value)}</dd>`)
    .join("");
  $("dossier-timeline").innerHTML = dossier.timeline
    .map((entry) => {
      const when = entry.start === entry.end ? entry.start : `${entry.start} – ${entry.end}`;
      const what = entry.activities.map((a) => t("activity")[a] || a).join(", ");
      const where = entry.countries.map(countryName).join(", ");
      return `<li><time>${escapeHtml(when)}</time> <span class="dated-by">(${escapeHtml(t(`dated_by_${entry.dated_by}`))})</span>
        <strong>${escapeHtml(what)}</strong> ${escapeHtml(where)}
        ${sourceLink(entry.source.url, entry.source.title)}</li>`;
    })
    .join("");
  $("dossier-sources").innerHTML = dossier.documents
    .map((d) => `<li>${escapeHtml(d.published || "")} ${sourceLink(d.url, d.title)} · ${escapeHtml(d.source)}</li>`)
    .join("");
}

// -- routing -------------------------------------------------------------------

function show(view) {
  for (const id of ["view-search", "view-projects", "view-project"]) $(id).hidden = id !== view;
}

async function route() {
  const hash = location.hash || "#/";
  if (hash.startsWith("#/project/")) {
    show("view-project");
    await renderDossier(decodeURIComponent(hash.slice("#/project/".length)));
  } else if (hash === "#/projects") {
    show("view-projects");
    await loadProjects();
    renderProjects();
  } else {
    show("view-search");
    if (hash.startsWith("#/?")) {
      readSearchHash(hash);
    } else if (state.rendered) {
      // The bare search link returns to the search as it was left, and the URL says which.
      history.replaceState(null, "", searchHash());
    }
    const rendered = state.rendered;
    if (rendered && rendered.key === searchKey() && state.lastResult) {
      if (state.pages === rendered.pages + 1 && state.cursor) {
        await runSearch({ append: true });
        return;
      }
      if (state.pages === rendered.pages) {
        renderHits(state.lastResult, false);
        renderFacets(state.lastResult.facets);
        renderActiveFilters();
        drawCountries((state.lastResult.facets.country || []).slice(0, 15));
        drawTimeline(state.lastTimeline || []);
        return;
      }
    }
    await runSearch();
  }
}

function start() {
  applyLanguage();
  for (const button of document.querySelectorAll(".lang button")) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = $("q").value.trim();
    state.sort = $("sort").value;
    state.dateFrom = $("date_from").value;
    state.dateTo = $("date_to").value;
    state.pages = 1;
    navigate();
  });
  $("q").addEventListener("input", suggest);
  $("more").addEventListener("click", () => {
    state.pages += 1;
    navigate();
  });
  $("api-key").value = state.key;
  $("api-key").addEventListener("change", () => {
    state.key = $("api-key").value.trim();
    sessionStorage.setItem("kume-key", state.key);
    state.rendered = null;
    loadProjects().then(route);
  });
  for (const format of ["csv", "ndjson"]) $(`export-${format}`).addEventListener("click", downloadWithKey);
  $("project-filter").addEventListener("input", renderProjects);
  window.addEventListener("hashchange", route);
  loadProjects().then(route);
}

document.addEventListener("DOMContentLoaded", start);
