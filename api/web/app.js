// The researchers' page: search with facets and charts, the national scoreboard, project list and dossiers
// (events on a timeline and a world map), in Turkish or English.
"use strict";

const FACETS_SHOWN = ["country", "sector", "program", "activity", "organization", "language", "source"];
const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const SCOREBOARD_DEFAULTS = {
  by: "project", year: "", program: "", country: "", activity: "", sort: "events", order: "desc",
};
const SCOREBOARD_FILTERS = ["by", "year", "program", "country", "activity"];
// The scoreboard's columns after one per activity, in the API's names; "projects" only where a row groups several.
const SCOREBOARD_COLUMNS = ["events", "planned", "countries", "firms", "first", "last", "documents", "projects"];
const NUMBER_LOCALES = { tr: "tr-TR", en: "en-GB" };
const UNDATED = "undated"; // the dossier timeline's period of the events no source dates

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
  scoreboard: { ...SCOREBOARD_DEFAULTS },
  scoreboardShown: false,
  scoreboardOptions: null, // the programmes, countries and activities the filters offer, loaded once
};

const charts = { timeline: null, countries: null, dossier: null };
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

// A label the API gives beside a code ({tr, en}) in the page's language; the fallback where it gives none.
function apiLabel(label, fallback) {
  return (label && (label[state.lang] || label.tr || label.en)) || fallback || "";
}

// An activity by the API's label, else the page's own, else its code.
function activityName(code, label) {
  return apiLabel(label, t("activity")[code] || code);
}

function formatNumber(value) {
  return value.toLocaleString(NUMBER_LOCALES[state.lang]);
}

function languageName(code) {
  try {
    return new Intl.DisplayNames([state.lang], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}

// A facet value by the label the API gave it in the search's facets (NACE divisions, programmes, projects, ...),
// else by the page's own naming.
function valueLabel(facet, value) {
  const counted = (state.lastResult?.facets[facet] || []).find((c) => c.value === value);
  if (counted?.label) return apiLabel(counted.label, value);
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

// A change of a view goes through the URL: the hashchange that follows runs it.
function navigate(hash = searchHash()) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function showError(error, boxId = "error") {
  const box = $(boxId);
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
    save.download = link.dataset.filename;
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
    row.innerHTML = `<td><a href="#/projects/${encodeURIComponent(project.id)}">${escapeHtml(project.name)}</a></td>
      <td>${escapeHtml(project.code || "")}</td><td>${escapeHtml(project.program || "")}</td>
      <td>${project.document_count}</td>`;
    rows.append(row);
  }
}

// Each scoreboard or dossier shown bumps this; answers for a view left meanwhile are dropped.
let viewGeneration = 0;

const DOSSIER_PARTS = ["dossier-name", "dossier-facts", "dossier-event-counts", "dossier-map", "dossier-countries",
  "dossier-activities", "dossier-events", "dossier-links", "dossier-sources"];

// Another project's dossier is cleared before this one is asked for, so it never shows under this one's address.
function clearDossier() {
  for (const id of DOSSIER_PARTS) $(id).replaceChildren();
  charts.dossier?.destroy();
  charts.dossier = null;
}

async function renderDossier(projectId) {
  const generation = ++viewGeneration;
  const view = $("view-project");
  if (view.dataset.project !== projectId) {
    delete view.dataset.project;
    clearDossier();
  }
  let dossier;
  try {
    dossier = await getJson(`/v1/projects/${encodeURIComponent(projectId)}`);
  } catch (error) {
    if (generation !== viewGeneration) return;
    clearDossier();
    $("dossier-name").textContent = error.message;
    return;
  }
  if (generation !== viewGeneration) return;
  view.dataset.project = projectId;
  const heading = apiLabel(dossier.label, dossier.name);
  $("dossier-name").textContent = heading;
  const facts = [
    ["code", dossier.code],
    ["program", apiLabel(dossier.program_label, dossier.program)],
    ["coordinator", dossier.coordinator],
    ["province", apiLabel(dossier.province_label, dossier.province)],
    ["sector", apiLabel(dossier.sector_label, dossier.sector)],
    ["firms_total", dossier.firms_total ? formatNumber(dossier.firms_total) : ""],
    ["other_names", dossier.names.filter((name) => !heading.includes(name)).join(" · ")],
  ];
  $("dossier-facts").innerHTML = facts
    .filter(([, value]) => value)
    .map(([key, value]) => `<dt>${escapeHtml(t(key))}</dt><dd data-fact="${key}">${escapeHtml(value)}</dd>`)
    .join("");
  drawEventChart(dossier.events);
  renderReached(dossier.countries_reached);
  renderActivityCounts(dossier.activity_counts);
  renderEvents(dossier.events);
  renderLinks(dossier);
  $("dossier-sources").innerHTML = dossier.documents
    .map((d) => `<li>${escapeHtml(d.published || "")} ${sourceLink(d.url, d.title)} · ${escapeHtml(d.source)}</li>`)
    .join("");
  await drawMap(dossier.countries_reached, generation);
}

// An event's place on the time axis: the month it starts in, or the year where the events span more than two
// years. An event no source dates goes last, as "undated", rather than at a guessed date (its first source may be
// the announcement of a trip held weeks later).
function eventPeriods(events) {
  const months = [...new Set(events.filter((e) => e.start).map((e) => e.start.slice(0, 7)))].sort();
  const undated = events.some((e) => !e.start) ? [UNDATED] : [];
  if (!months.length) return { periods: undated, periodOf: () => UNDATED };
  const first = Number(months[0].slice(0, 4));
  const last = Number(months[months.length - 1].slice(0, 4));
  const width = last - first <= 2 ? 7 : 4;
  const periodOf = (e) => e.start?.slice(0, width) || UNDATED;
  if (width === 7) return { periods: [...continuousMonths(months), ...undated], periodOf };
  const years = [];
  for (let year = first; year <= last; year++) years.push(String(year));
  return { periods: [...years, ...undated], periodOf };
}

// Done and planned events per period, stacked; the table beside the chart gives the same counts as text.
function drawEventChart(events) {
  const { periods, periodOf } = eventPeriods(events);
  const count = (period, status) => events.filter((e) => e.status === status && periodOf(e) === period).length;
  const statuses = ["done", "planned"];
  charts.dossier?.destroy();
  charts.dossier = new Chart($("dossier-chart"), {
    type: "bar",
    data: {
      labels: periods.map((period) => (period === UNDATED ? t("undated") : period)),
      datasets: statuses.map((status, i) => ({
        label: t("status")[status],
        backgroundColor: PALETTE[i * 2],
        data: periods.map((period) => count(period, status)),
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    },
  });
  const rows = periods
    .map((period) => [period, statuses.map((status) => count(period, status))])
    .filter(([, counts]) => counts.some(Boolean));
  $("dossier-event-counts").innerHTML = `<thead><tr><th>${escapeHtml(t("period"))}</th>
      ${statuses.map((status) => `<th>${escapeHtml(t("status")[status])}</th>`).join("")}</tr></thead><tbody>
    ${rows
      .map(
        ([period, counts]) => `<tr data-period="${escapeHtml(period)}">
          <th scope="row">${escapeHtml(period === UNDATED ? t("undated") : period)}</th>
          ${counts.map((n, i) => `<td data-status="${statuses[i]}">${n}</td>`).join("")}</tr>`,
      )
      .join("") || `<tr><td colspan="3">${escapeHtml(t("no_events"))}</td></tr>`}</tbody>`;
}

function renderReached(reached) {
  $("dossier-countries").innerHTML = reached.length
    ? reached
        .map((c) => `<li data-code="${escapeHtml(c.code)}">${escapeHtml(apiLabel(c.label, countryName(c.code)))}
          <span class="count">${escapeHtml(t("events_n")(c.events))}</span></li>`)
        .join("")
    : `<li class="empty">${escapeHtml(t("no_countries"))}</li>`;
}

function renderActivityCounts(counts) {
  $("dossier-activities").innerHTML = `<thead><tr><th>${escapeHtml(t("activity_label"))}</th>
      <th>${escapeHtml(t("status").done)}</th><th>${escapeHtml(t("status").planned)}</th></tr></thead><tbody>
    ${counts
      .map(
        (a) => `<tr data-activity="${escapeHtml(a.value)}">
          <th scope="row">${escapeHtml(activityName(a.value, a.label))}</th>
          <td data-status="done">${a.done}</td><td data-status="planned">${a.planned}</td></tr>`,
      )
      .join("") || `<tr><td colspan="3">${escapeHtml(t("no_events"))}</td></tr>`}</tbody>`;
}

function placeName(city) {
  return apiLabel(city.label, city.name);
}

function renderEvents(events) {
  $("dossier-events").innerHTML = events.length
    ? events
        .map((event) => {
          const status = event.status === "done" ? "done" : "planned";
          const span = event.end && event.end !== event.start ? `${event.start} – ${event.end}` : event.start;
          const when = event.start ? span : t("undated");
          const countries = event.countries.map((c) => apiLabel(c.label, countryName(c.code)));
          const where = [...countries, ...event.cities.map(placeName)];
          const sources = event.sources.map((source) => sourceLink(source.url, source.title));
          const firms = event.firms ? t("firms_n")(event.firms) : "";
          return `<li data-event="${escapeHtml(event.id)}" data-status="${status}"><time>${escapeHtml(when)}</time>
            <strong>${escapeHtml(activityName(event.activity, event.activity_label))}</strong>
            <span class="status status-${status}">${escapeHtml(t("status")[status])}</span>
            ${escapeHtml(where.join(", "))} ${escapeHtml(firms)}
            <span class="event-sources">${sources.join(" · ")}</span></li>`;
        })
        .join("")
    : `<li class="empty">${escapeHtml(t("no_events"))}</li>`;
}

// Why each mention joined the project: the name it was mentioned by, the rule that merged it, and in which document.
function renderLinks(dossier) {
  const documents = new Map(dossier.documents.map((d) => [d.document_id, d]));
  $("dossier-links").innerHTML =
    dossier.links
      .map((link) => {
        const doc = documents.get(link.document_id);
        const where = doc ? sourceLink(doc.url, doc.title) : escapeHtml(link.document_id);
        return `<li data-reason="${escapeHtml(link.reason)}"><q>${escapeHtml(link.name)}</q>
          — ${escapeHtml(t("link_reason")[link.reason] || link.reason)} — ${where}</li>`;
      })
      .join("") || `<li class="empty">${escapeHtml(t("no_links"))}</li>`;
}

// -- the world map -------------------------------------------------------------------
// Vendored Natural Earth shapes (world-atlas) projected by d3-geo into SVG paths; the ISO numeric ids of the
// shapes are turned into the API's alpha-2 codes by a table generated from i18n-iso-countries.

const SVG_NS = "http://www.w3.org/2000/svg";
const MAP_SIZE = [960, 480];
let world = null; // a promise of { sphere, countries: [{ code, d }] }, loaded on the first dossier

function loadWorld() {
  const json = (url) =>
    fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    });
  world ??= Promise.all([json("vendor/world-atlas/countries-50m.json"), json("vendor/iso-3166/numeric-to-alpha2.json")])
    .then(([topology, alpha2]) => {
      const path = d3.geoPath(d3.geoNaturalEarth1().fitSize(MAP_SIZE, { type: "Sphere" }));
      const shapes = topojson.feature(topology, topology.objects.countries).features;
      return {
        sphere: path({ type: "Sphere" }),
        countries: shapes.map((shape) => ({ code: alpha2[shape.id] || null, d: path(shape) })),
      };
    })
    .catch((error) => {
      world = null;
      throw error;
    });
  return world;
}

async function drawMap(reached, generation) {
  let map;
  try {
    map = await loadWorld();
  } catch (error) {
    if (generation === viewGeneration) $("dossier-map").replaceChildren();
    showError(error, "dossier-map-error");
    return;
  }
  if (generation !== viewGeneration) return;
  showError(null, "dossier-map-error");
  const counts = new Map(reached.map((c) => [c.code, c]));
  const most = Math.max(1, ...reached.map((c) => c.events));
  const sphere = document.createElementNS(SVG_NS, "path");
  sphere.setAttribute("class", "sphere");
  sphere.setAttribute("d", map.sphere);
  const shapes = map.countries.map(({ code, d }) => {
    const shape = document.createElementNS(SVG_NS, "path");
    shape.setAttribute("d", d);
    const country = counts.get(code);
    if (country) {
      shape.classList.add("reached");
      shape.dataset.code = code;
      shape.dataset.events = String(country.events);
      shape.setAttribute("fill-opacity", (0.35 + (0.65 * country.events) / most).toFixed(2));
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = `${apiLabel(country.label, countryName(code))}: ${t("events_n")(country.events)}`;
      shape.append(title);
    }
    return shape;
  });
  $("dossier-map").setAttribute("viewBox", `0 0 ${MAP_SIZE.join(" ")}`);
  $("dossier-map").replaceChildren(sphere, ...shapes);
}

// -- the scoreboard -------------------------------------------------------------------
// "#/scoreboard?by=program&year=2023&sort=firms&order=desc" holds the very parameters /v1/scoreboard takes, so the
// page's URL, its request and its CSV link are one query.

function scoreboardParams() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.scoreboard)) {
    if (value) params.set(name, value);
  }
  return params;
}

function scoreboardHash() {
  return `#/scoreboard?${scoreboardParams()}`;
}

function readScoreboardHash(hash) {
  const params = new URLSearchParams(hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "");
  state.scoreboard = Object.fromEntries(
    Object.entries(SCOREBOARD_DEFAULTS).map(([name, fallback]) => [name, params.get(name) || fallback]),
  );
}

// The programmes, countries and activities that events have, for the filters (the scoreboard refuses a value
// no event holds); asked once.
async function loadScoreboardOptions() {
  if (state.scoreboardOptions) return;
  const top = (facet) =>
    getJson("/v1/stats/top", new URLSearchParams({ facet, size: "200", count: "events" }))
      .then((answer) => answer.values)
      .catch(() => []);
  const [program, country, activity] = await Promise.all([top("program"), top("country"), top("activity")]);
  state.scoreboardOptions = { program, country, activity };
}

// A select's options after "all", keeping the chosen value even when the list lacks it (a shared URL's filter).
function fillSelect(select, options, chosen, chosenText) {
  const all = [{ value: "", text: t("any_value") }, ...options];
  if (chosen && !options.some((option) => option.value === chosen)) all.push({ value: chosen, text: chosenText });
  select.replaceChildren(...all.map((option) => new Option(option.text, option.value)));
  select.value = chosen;
}

function fillScoreboardForm() {
  const board = state.scoreboard;
  const options = state.scoreboardOptions || { program: [], country: [], activity: [] };
  $("scoreboard-by").value = board.by;
  $("scoreboard-year").value = board.year;
  const programs = options.program.map((v) => ({ value: v.value, text: apiLabel(v.label, v.value) }));
  fillSelect($("scoreboard-program"), programs, board.program, board.program);
  const countries = options.country.map((v) => ({ value: v.value, text: apiLabel(v.label, countryName(v.value)) }));
  fillSelect($("scoreboard-country"), countries, board.country, countryName(board.country));
  const activities = options.activity.map((v) => ({ value: v.value, text: activityName(v.value, v.label) }));
  fillSelect($("scoreboard-activity"), activities, board.activity, activityName(board.activity));
}

async function renderScoreboard() {
  const generation = ++viewGeneration;
  await loadScoreboardOptions();
  if (generation !== viewGeneration) return;
  fillScoreboardForm();
  const params = scoreboardParams();
  $("scoreboard-csv").href = `/v1/scoreboard?${params}&format=csv`;
  try {
    const board = await getJson("/v1/scoreboard", params);
    if (generation !== viewGeneration) return;
    showError(null, "scoreboard-error");
    drawScoreboard(board);
  } catch (error) {
    if (generation === viewGeneration) showError(error, "scoreboard-error");
  }
}

function scoreboardColumns(board) {
  const columns = [...board.activities, ...SCOREBOARD_COLUMNS];
  return board.by === "project" ? columns.filter((column) => column !== "projects") : columns;
}

function sortableHeader(column, title) {
  const header = document.createElement("th");
  header.scope = "col";
  header.dataset.sort = column;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = title;
  if (state.scoreboard.sort === column) {
    const ascending = state.scoreboard.order === "asc";
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    button.append(ascending ? " ▲" : " ▼");
  }
  button.addEventListener("click", () => sortScoreboard(column));
  header.append(button);
  return header;
}

// A click on the sorted column turns its order round; another column sorts by it, names A–Z and numbers most first.
function sortScoreboard(column) {
  const board = state.scoreboard;
  const order = board.sort === column ? (board.order === "desc" ? "asc" : "desc") : column === "label" ? "asc" : "desc";
  state.scoreboard = { ...board, sort: column, order };
  navigate(scoreboardHash());
}

function drawScoreboard(board) {
  const columns = scoreboardColumns(board);
  $("scoreboard-total").textContent = t("scoreboard_total")(board.total);
  $("scoreboard-head").replaceChildren(
    sortableHeader("label", t(`by_${board.by}`)),
    ...columns.map((column) =>
      sortableHeader(
        column,
        board.activities.includes(column)
          ? activityName(column, board.activity_labels[column])
          : t("scoreboard_column")[column],
      ),
    ),
  );
  const rows = board.rows.map((row) => {
    const line = document.createElement("tr");
    line.dataset.key = row.key;
    const name = document.createElement("th");
    name.scope = "row";
    const text = apiLabel(row.label, row.key);
    if (row.project_id) {
      const link = document.createElement("a");
      link.href = `#/projects/${encodeURIComponent(row.project_id)}`;
      link.textContent = text;
      name.append(link);
    } else {
      name.textContent = text;
    }
    line.append(name);
    for (const column of columns) {
      const cell = document.createElement("td");
      cell.dataset.column = column;
      const value = board.activities.includes(column) ? row.by_activity[column] || 0 : row[column];
      cell.textContent = typeof value === "number" ? formatNumber(value) : value || "–";
      if (column === "countries") cell.title = row.country_codes.map(countryName).join(", ");
      line.append(cell);
    }
    return line;
  });
  if (!rows.length) {
    const empty = document.createElement("tr");
    empty.innerHTML = `<td colspan="${columns.length + 1}">${escapeHtml(t("no_rows"))}</td>`;
    rows.push(empty);
  }
  $("scoreboard-rows").replaceChildren(...rows);
}

function changeScoreboardFilters() {
  const board = { ...state.scoreboard };
  for (const name of SCOREBOARD_FILTERS) board[name] = $(`scoreboard-${name}`).value.trim();
  if (board.by === "project" && board.sort === "projects") board.sort = SCOREBOARD_DEFAULTS.sort;
  state.scoreboard = board;
  navigate(scoreboardHash());
}

// -- routing -------------------------------------------------------------------
// One hash per view: "#/?…" the search, "#/scoreboard?…" the scoreboard, "#/projects" the list, "#/projects/<id>"
// a dossier; a bare "#/" or "#/scoreboard" returns to that view as it was left.

const VIEWS = ["view-search", "view-scoreboard", "view-projects", "view-project"];

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
}

async function route() {
  const hash = location.hash || "#/";
  if (hash.startsWith("#/project/")) {
    // The dossier's address before the scoreboard came: links shared then still open it.
    history.replaceState(null, "", `#/projects/${hash.slice("#/project/".length)}`);
    await route();
  } else if (hash.startsWith("#/projects/")) {
    show("view-project");
    await renderDossier(decodeURIComponent(hash.slice("#/projects/".length)));
  } else if (hash === "#/projects") {
    show("view-projects");
    await loadProjects();
    renderProjects();
  } else if (hash === "#/scoreboard" || hash.startsWith("#/scoreboard?")) {
    show("view-scoreboard");
    if (hash.includes("?") || !state.scoreboardShown) readScoreboardHash(hash);
    state.scoreboardShown = true;
    if (location.hash !== scoreboardHash()) history.replaceState(null, "", scoreboardHash());
    await renderScoreboard();
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
    state.scoreboardOptions = null;
    loadProjects().then(route);
  });
  for (const id of ["export-csv", "export-ndjson", "scoreboard-csv"]) $(id).addEventListener("click", downloadWithKey);
  $("scoreboard-form").addEventListener("change", changeScoreboardFilters);
  // Enter in the year box commits it through "change"; the form itself never submits.
  $("scoreboard-form").addEventListener("submit", (event) => event.preventDefault());
  $("project-filter").addEventListener("input", renderProjects);
  window.addEventListener("hashchange", route);
  loadProjects().then(route);
}

document.addEventListener("DOMContentLoaded", start);
