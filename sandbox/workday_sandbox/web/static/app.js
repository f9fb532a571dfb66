// The sandbox page: a Telegram-like chat with the real bot, the demo portal beside it.
// Vanilla JS, no build step. Talks only to this server's /api/… (see sandbox/workday_sandbox/web/app.py).
"use strict";

(() => {
  const QUICK_COMMANDS = ["/start", "/status", "/open", "/pause", "/resume", "/close", "/week", "/remind", "/reminders", "/help"];
  const LONG_POLL_SECONDS = 25;
  const PANEL_REFRESH_MS = 20000;
  const LANG_KEY = "sandbox.lang";  // the EN/RU switch's choice, kept across reloads

  const state = {
    session: null,
    employees: [],
    current: null,          // the chosen employee
    seq: 0,                 // the fake Telegram's event cursor
    portalVersion: null,
    clock: null,            // {now: Date (sandbox), at: performance.now(), offset}
    elements: new Map(),    // message_id -> element
    rendered: new Map(),    // message_id -> signature of what is shown
    unread: new Map(),      // telegram_id -> count
    chatLoading: null,
    chatDirty: false,
    panelLoading: null,
    panelDirty: false,
    typingTimer: null,
    toastTimer: null,
    lastDay: null,
    strings: {},            // {en: {...}, ru: {...}} from /api/session (sandbox/workday_sandbox/web/strings.py)
    lang: "en",
    langChosen: null,       // "en" | "ru" when the switch was used; else the employee's language
  };

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ------------------------------------------------------------------ words

  // The page's own words; the bot's messages are the bot's.
  function tr(key, vars = {}) {
    const table = state.strings[state.lang] || state.strings.en || {};
    const text = table[key] ?? (state.strings.en || {})[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  const locale = () => (state.lang === "ru" ? "ru-RU" : "en-GB");
  const pageLanguage = (code) => (String(code || "").toLowerCase().split("-")[0] === "ru" ? "ru" : "en");

  function applyStrings() {
    document.documentElement.lang = state.lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.setAttribute("placeholder", tr(node.dataset.i18nPlaceholder));
    }
    for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", tr(node.dataset.i18nAria));
    for (const button of document.querySelectorAll(".lang-switch .lang")) {
      button.setAttribute("aria-pressed", button.dataset.lang === state.lang ? "true" : "false");
    }
    if (state.session) document.title = `${tr("page.title")} (@${state.session.bot.username})`;
  }

  // Switch the page's words (not the bot's) and redraw what holds them.
  async function setLanguage(lang) {
    if (lang === state.lang) return;
    state.lang = lang;
    applyStrings();
    renderEmployees();
    renderUnread();
    if (state.current) {
      markChosen(state.current);
      renderWho(state.current);
      renderChips();
      $("messages").replaceChildren();
      state.elements.clear();
      state.rendered.clear();
      state.lastDay = null;
      await Promise.all([refreshChat(true), refreshPanel()]);
    }
    setTyping(false);
    renderClock();
  }

  // ------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body),
    };
    let response;
    try {
      response = await fetch(path, {cache: "no-store", ...options});
    } catch (error) {
      throw new ApiError("the sandbox is not answering", 0);
    }
    let data = null;
    try { data = await response.json(); } catch (error) { /* not JSON */ }
    if (!response.ok || !data || data.ok === false) {
      throw new ApiError((data && data.error) || `HTTP ${response.status}`, response.status);
    }
    return data;
  }

  // ------------------------------------------------------------------ time

  function sandboxNow() {
    if (!state.clock) return new Date();
    return new Date(state.clock.now.getTime() + (performance.now() - state.clock.at));
  }

  function setClock(clock) {
    state.clock = {now: new Date(clock.now), at: performance.now(), offset: clock.offset_seconds};
    renderClock();
  }

  function zoneOf(employee) { return (employee && employee.time_zone) || "UTC"; }

  function formatTime(date, zone, seconds = false) {
    return new Intl.DateTimeFormat(locale(), {
      timeZone: zone, hour: "2-digit", minute: "2-digit", second: seconds ? "2-digit" : undefined, hour12: false,
    }).format(date);
  }

  function formatDate(date, zone) {
    return new Intl.DateTimeFormat(locale(), {timeZone: zone, weekday: "short", day: "numeric", month: "short"}).format(date);
  }

  function dayKey(date, zone) {
    return new Intl.DateTimeFormat("en-CA", {timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit"}).format(date);
  }

  function formatSpan(minutes) {
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    const parts = [];
    if (days) parts.push(`${days} ${tr("unit.d")}`);
    if (hours) parts.push(`${hours} ${tr("unit.h")}`);
    if (rest || !parts.length) parts.push(`${rest} ${tr("unit.min")}`);
    return parts.join(" ");
  }

  function formatOffset(seconds) {
    if (!seconds) return tr("clock.real_time");
    return tr("clock.ahead", {span: formatSpan(Math.round(seconds / 60))});
  }

  function renderClock() {
    const zone = zoneOf(state.current);
    const now = sandboxNow();
    const face = $("clock-now");
    face.textContent = formatTime(now, zone, true);
    face.setAttribute("datetime", now.toISOString());
    face.dataset.local = formatTime(now, zone);
    face.dataset.zone = zone;
    $("clock-date").textContent = formatDate(now, zone);
    $("clock-zone").textContent = zone;
    $("jump-label").textContent = tr("clock.jump_to", {zone});
    const offset = $("clock-offset");
    offset.textContent = formatOffset(state.clock ? state.clock.offset : 0);
    offset.classList.toggle("ahead", Boolean(state.clock && state.clock.offset));
    for (const item of document.querySelectorAll(".employee .local-time")) {
      item.textContent = formatTime(now, item.dataset.zone);
    }
  }

  // ------------------------------------------------------------------ toasts

  function toast(message, kind = "info", ms = 3500) {
    const box = $("toast");
    box.textContent = message;
    box.className = `toast toast-${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = false;
    clearTimeout(state.toastTimer);
    state.toastTimer = setTimeout(() => { box.hidden = true; }, ms);
  }

  // ------------------------------------------------------------------ employees

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0].toUpperCase()).join("");
  }

  function renderEmployees() {
    const list = $("employees");
    list.replaceChildren();
    state.employees.forEach((employee, index) => {
      const badges = el("span", {class: "badges"});
      if (employee.bot_admin) badges.append(el("span", {class: "badge badge-admin", "data-testid": "badge-admin", text: tr("badge.admin")}));
      if (!employee.active) badges.append(el("span", {class: "badge badge-dismissed", "data-testid": "badge-dismissed", text: tr("badge.dismissed")}));
      const unread = el("span", {class: "unread", "data-testid": "unread", hidden: true, "aria-label": tr("employee.unread")});
      const button = el("button", {
        type: "button",
        class: `employee avatar-color-${index % 6}` + (employee.active ? "" : " is-dismissed"),
        "data-testid": `employee-${employee.bitrix_id}`,
        "aria-pressed": "false",
        dataset: {bitrixId: employee.bitrix_id, telegramId: employee.telegram_id, name: employee.name},
        onclick: () => choose(employee),
      },
        el("span", {class: "avatar", "aria-hidden": "true", text: initials(employee.name)}),
        el("span", {class: "who"},
          el("span", {class: "name-row"}, el("span", {class: "name", text: employee.name}), badges),
          el("span", {class: "email", text: employee.email}),
          el("span", {class: "zone"},
            el("span", {text: employee.time_zone}),
            el("span", {class: "dot", "aria-hidden": "true", text: "·"}),
            el("span", {class: "local-time", dataset: {zone: employee.time_zone}, text: ""}),
          ),
        ),
        unread,
      );
      list.append(el("li", {}, button));
    });
  }

  function renderUnread() {
    for (const button of document.querySelectorAll(".employee")) {
      const count = state.unread.get(Number(button.dataset.telegramId)) || 0;
      const badge = button.querySelector(".unread");
      badge.hidden = count === 0;
      badge.textContent = count > 99 ? "99+" : String(count);
    }
  }

  function employeeFromHash() {
    const match = /^#(?:employee-)?(\d+)$/.exec(location.hash);
    if (!match) return null;
    return state.employees.find((e) => e.bitrix_id === Number(match[1])) || null;
  }

  async function choose(employee) {
    if (state.current && state.current.bitrix_id === employee.bitrix_id) {
      $("chat-input").focus();
      return;
    }
    state.current = employee;
    state.unread.delete(employee.telegram_id);
    history.replaceState(null, "", `#employee-${employee.bitrix_id}`);
    const lang = state.langChosen || pageLanguage(employee.language);
    if (lang !== state.lang) {
      state.lang = lang;
      applyStrings();
      renderEmployees();
      setTyping(false);
    }
    markChosen(employee);
    renderUnread();
    renderWho(employee);
    const box = $("messages");
    box.replaceChildren();
    state.elements.clear();
    state.rendered.clear();
    state.lastDay = null;
    renderChips();
    renderClock();
    $("chat-input").value = "";
    autosize();
    await Promise.all([refreshChat(true), refreshPanel()]);
    $("chat-input").focus();
  }

  function markChosen(employee) {
    for (const button of document.querySelectorAll(".employee")) {
      const chosen = Number(button.dataset.bitrixId) === employee.bitrix_id;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      button.classList.toggle("selected", chosen);
    }
  }

  function renderWho(employee) {
    $("chat-as").replaceChildren(
      el("span", {class: "chat-as-label", text: tr("chat.you_are")}),
      el("b", {text: employee.name}),
      el("span", {class: "chat-as-id", text: tr("chat.telegram_id", {id: employee.telegram_id})}),
    );
    $("portal-who").textContent = `${employee.name} · ${employee.position || tr("portal.employee")} · ${employee.time_zone}`;
  }

  // ------------------------------------------------------------------ chat

  function renderChips() {
    const chips = $("chips");
    chips.replaceChildren();
    for (const command of QUICK_COMMANDS) {
      chips.append(el("button", {
        type: "button", class: "chip", "data-testid": "quick-command", dataset: {command},
        onclick: () => sendText(command),
      }, command));
    }
    if (state.current) {
      const text = `/link ${state.current.email}`;
      chips.append(el("button", {
        type: "button", class: "chip chip-fill", "data-testid": "quick-link",
        title: tr("chat.link_chip_title"), dataset: {fill: text},
        onclick: () => fillInput(text),
      }, tr("chat.link_chip")));
    }
  }

  function fillInput(text) {
    const input = $("chat-input");
    input.value = text;
    autosize();
    input.focus();
    input.setSelectionRange(text.length, text.length);
  }

  // Telegram's HTML subset only; anything else becomes plain text.
  const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE", "A", "BLOCKQUOTE", "TG-SPOILER", "SPAN", "TG-EMOJI", "BR"]);

  function sanitize(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const clean = (node) => {
      for (const child of Array.from(node.childNodes)) {
        if (child.nodeType === Node.TEXT_NODE) continue;
        if (child.nodeType !== Node.ELEMENT_NODE || !ALLOWED.has(child.tagName)) {
          child.replaceWith(document.createTextNode(child.textContent || ""));
          continue;
        }
        const href = child.tagName === "A" ? child.getAttribute("href") || "" : "";
        const className = child.getAttribute("class") || "";
        for (const attribute of Array.from(child.attributes)) child.removeAttribute(attribute.name);
        if (child.tagName === "A") {
          if (/^(https?:|tg:|mailto:)/i.test(href)) {
            child.setAttribute("href", href);
            child.setAttribute("target", "_blank");
            child.setAttribute("rel", "noopener noreferrer");
          }
        } else if (child.tagName === "SPAN" && className === "tg-spoiler") {
          child.className = "tg-spoiler";
        } else if (child.tagName === "TG-SPOILER") {
          child.classList.add("tg-spoiler");
        }
        clean(child);
      }
    };
    clean(template.content);
    linkCommands(template.content);
    return template.content;
  }

  // "/status" in a bot message is tappable in Telegram: it sends the command.
  function linkCommands(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    const pattern = /(^|[\s(])(\/[a-z][a-z0-9_]{1,31})(?=$|[\s.,:;!?)])/g;
    for (const text of texts) {
      if (text.parentElement && text.parentElement.closest("code, pre, a")) continue;
      const value = text.nodeValue;
      if (!pattern.test(value)) continue;
      pattern.lastIndex = 0;
      const fragment = document.createDocumentFragment();
      let last = 0;
      for (const match of value.matchAll(pattern)) {
        const start = match.index + match[1].length;
        fragment.append(value.slice(last, start));
        fragment.append(el("button", {type: "button", class: "cmd-link", dataset: {command: match[2]}, text: match[2]}));
        last = start + match[2].length;
      }
      fragment.append(value.slice(last));
      text.replaceWith(fragment);
    }
  }

  function signature(message) {
    const photo = message.photo ? message.photo.file_id : "";
    return `${message.versions}|${photo}|${message.html}|${JSON.stringify(message.buttons)}`;
  }

  function messageDate(message) {
    return new Date((message.sandbox_date || message.date) * 1000);
  }

  function buildMessage(message, node) {
    const zone = zoneOf(state.current);
    const side = message.from_bot ? "bot" : "user";
    node.className = `msg msg-${side}`;
    node.setAttribute("data-testid", "message");
    node.dataset.messageId = message.message_id;
    node.dataset.from = side;
    node.dataset.edited = message.edited ? "true" : "false";
    node.dataset.versions = message.versions;

    const text = el("div", {class: "text", "data-testid": "message-text"});
    text.append(sanitize(message.html));
    const meta = el("span", {class: "meta"});
    if (message.edited) meta.append(el("span", {class: "edited", "data-testid": "message-edited", text: tr("chat.edited")}));
    const when = messageDate(message);
    meta.append(el("time", {datetime: when.toISOString(), text: formatTime(when, zone)}));
    if (!message.from_bot) meta.append(el("span", {class: "ticks", "aria-label": tr("chat.read"), text: "✓✓"}));
    const bubble = el("div", {class: "bubble"}, text, meta);
    if (message.photo) {
      // A photo with its caption underneath, as Telegram shows it; the image comes from
      // this server (/api/photo/…), and width/height keep its place while it loads.
      bubble.classList.add("bubble-photo");
      bubble.prepend(el("img", {
        class: "photo", "data-testid": "message-photo", src: message.photo.url,
        width: message.photo.width, height: message.photo.height,
        alt: tr("chat.photo"), dataset: {fileId: message.photo.file_id},
      }));
      if (!message.html) text.remove();
    }

    const children = [bubble];
    if (message.buttons && message.buttons.length) {
      const keyboard = el("div", {class: "keyboard", "data-testid": "inline-keyboard", role: "group", "aria-label": tr("chat.buttons")});
      for (const row of message.buttons) {
        const rowNode = el("div", {class: "kb-row"});
        for (const button of row) {
          if (button.url) {
            rowNode.append(el("a", {class: "kb-btn", href: /^https?:/i.test(button.url) ? button.url : "#",
              target: "_blank", rel: "noopener noreferrer", "data-testid": "inline-button", text: `${button.text} ↗`}));
          } else {
            rowNode.append(el("button", {
              type: "button", class: "kb-btn", "data-testid": "inline-button",
              dataset: {callbackData: button.callback_data || "", messageId: message.message_id},
              onclick: (event) => clickButton(event.currentTarget, message.message_id, button.callback_data),
            }, button.text));
          }
        }
        keyboard.append(rowNode);
      }
      children.push(keyboard);
    }
    node.replaceChildren(...children);
  }

  function daySeparator(date, zone) {
    const key = dayKey(date, zone);
    const today = dayKey(sandboxNow(), zone);
    const label = key === today ? tr("chat.today") : formatDate(date, zone);
    return el("div", {class: "day-sep", dataset: {day: key}}, el("span", {text: label}));
  }

  function nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function renderChat(messages, forceScroll) {
    const box = $("messages");
    const stick = forceScroll || nearBottom(box);
    const zone = zoneOf(state.current);
    const seen = new Set();
    let appendedOwn = false;
    for (const message of messages) {
      seen.add(message.message_id);
      const existing = state.elements.get(message.message_id);
      const sig = signature(message);
      if (existing) {
        if (state.rendered.get(message.message_id) !== sig) {
          buildMessage(message, existing);
          state.rendered.set(message.message_id, sig);
          existing.classList.remove("flash");
          void existing.offsetWidth; // restart the animation
          existing.classList.add("flash");
        }
        continue;
      }
      const date = messageDate(message);
      const day = dayKey(date, zone);
      if (day !== state.lastDay) {
        box.append(daySeparator(date, zone));
        state.lastDay = day;
      }
      const node = el("div");
      buildMessage(message, node);
      node.classList.add("appear");
      box.append(node);
      state.elements.set(message.message_id, node);
      state.rendered.set(message.message_id, sig);
      if (!message.from_bot) appendedOwn = true;
    }
    for (const [id, node] of state.elements) {
      if (!seen.has(id)) { node.remove(); state.elements.delete(id); state.rendered.delete(id); }
    }
    box.querySelector(".empty-chat")?.remove();
    if (!messages.length) box.append(emptyChat());
    if (stick || appendedOwn) box.scrollTop = box.scrollHeight;
  }

  function botIcon(className) {
    const icon = el("div", {class: `${className} avatar-bot`, "aria-hidden": "true"});
    icon.innerHTML = '<svg viewBox="0 0 24 24" width="30" height="30"><circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2.2"/><path d="M12 8v4.5l3 1.8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>';
    return icon;
  }

  function emptyChat() {
    return el("div", {class: "empty-chat", "data-testid": "empty-chat"},
      botIcon("empty-icon"),
      el("p", {class: "empty-title", text: tr("empty.title")}),
      el("p", {text: tr("empty.text")}),
      el("button", {type: "button", class: "btn btn-primary", onclick: () => sendText("/start")}, tr("empty.start")),
    );
  }

  async function refreshChat(forceScroll = false) {
    if (!state.current) return;
    if (state.chatLoading) { state.chatDirty = true; return state.chatLoading; }
    const employee = state.current;
    state.chatLoading = (async () => {
      do {
        state.chatDirty = false;
        try {
          const data = await api(`/api/chat/${employee.telegram_id}`);
          if (state.current !== employee) return;
          renderChat(data.messages, forceScroll);
          forceScroll = false;
        } catch (error) {
          toast(tr("toast.chat_failed", {error: error.message}), "error");
          return;
        }
      } while (state.chatDirty);
    })();
    try { await state.chatLoading; } finally { state.chatLoading = null; }
  }

  async function sendText(text) {
    const employee = state.current;
    if (!employee) return;
    text = text.trim();
    if (!text) return;
    try {
      await api("/api/send", {telegram_id: employee.telegram_id, text});
    } catch (error) {
      toast(error.message, "error");
      return false;
    }
    await refreshChat(true);
    return true;
  }

  async function clickButton(button, messageId, callbackData) {
    const employee = state.current;
    if (!employee || button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    button.classList.add("busy");
    setTimeout(() => { button.removeAttribute("aria-busy"); button.classList.remove("busy"); }, 4000);
    try {
      await api("/api/click", {telegram_id: employee.telegram_id, message_id: messageId, callback_data: callbackData});
    } catch (error) {
      button.removeAttribute("aria-busy");
      button.classList.remove("busy");
      toast(error.status === 400 ? tr("toast.button_gone") : error.message, "error");
      await refreshChat();
    }
  }

  function autosize() {
    const input = $("chat-input");
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  function setTyping(on) {
    const sub = $("chat-sub");
    clearTimeout(state.typingTimer);
    if (on) {
      sub.textContent = tr("chat.typing");
      sub.classList.add("typing");
      state.typingTimer = setTimeout(() => setTyping(false), 5000);
    } else {
      sub.textContent = state.session ? `${tr("chat.bot")} · @${state.session.bot.username}` : tr("chat.bot");
      sub.classList.remove("typing");
    }
  }

  // ------------------------------------------------------------------ portal panel

  function renderPanel(data) {
    const day = data.workday;
    const pill = $("portal-status");
    pill.textContent = day.status;
    pill.dataset.status = day.status;
    pill.className = `status-pill status-${day.status.toLowerCase()}` + (day.has_record ? "" : " status-none");
    $("portal-status-label").textContent = day.label;
    $("portal-start").textContent = day.start || "—";
    $("portal-worked").textContent = day.worked || "—";
    $("portal-breaks").textContent = day.breaks || "—";
    const approval = $("portal-approval");
    approval.textContent = day.has_record ? day.approval : "—";
    approval.className = day.has_record && !day.active ? "pending" : "";
    const extraRow = $("portal-extra-row");
    let extra = null;
    if (day.status === "PAUSED" && day.paused_since) extra = [tr("portal.paused_since"), day.paused_since];
    else if (day.status === "CLOSED" && day.finish) extra = [tr("portal.finished"), day.finish];
    else if (day.status === "EXPIRED" && day.suggested_finish) extra = [tr("portal.suggested_finish"), day.suggested_finish];
    extraRow.hidden = !extra;
    if (extra) { $("portal-extra-label").textContent = extra[0]; $("portal-extra").textContent = extra[1]; }
    const note = $("portal-note");
    note.hidden = data.employee_active;
    note.textContent = data.employee_active ? "" : tr("portal.dismissed");

    const list = $("notifications");
    list.replaceChildren();
    $("notes-count").textContent = data.notifications.length ? String(data.notifications.length) : "";
    if (!data.notifications.length) {
      list.append(el("li", {class: "notes-empty", "data-testid": "notifications-empty"},
        tr("notes.empty")));
    }
    data.notifications.forEach((note, index) => {
      const body = el("p", {class: "note-text", "data-testid": "notification-text"});
      if (note.code && note.message.includes(note.code)) {
        const at = note.message.indexOf(note.code);
        body.append(note.message.slice(0, at),
          el("mark", {class: "code", "data-testid": "notification-code", text: note.code}),
          note.message.slice(at + note.code.length));
      } else {
        body.textContent = note.message;
      }
      const item = el("li", {class: "note" + (index === 0 ? " newest" : ""), "data-testid": "notification",
        dataset: {id: note.id, kind: note.kind}},
        el("div", {class: "note-head"},
          el("span", {class: "note-kind", text: note.kind === "system" ? tr("notes.system") : tr("notes.message")}),
          el("time", {datetime: note.sent_at, text: note.sent_local}),
        ),
        body,
      );
      if (note.code) {
        item.append(el("button", {
          type: "button", class: "btn btn-small btn-primary copy-code", "data-testid": "copy-code",
          dataset: {code: note.code},
          onclick: () => {
            fillInput(note.code);
            if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(note.code).catch(() => {});
            toast(tr("toast.code", {code: note.code}));
          },
        }, tr("notes.use_code"), el("b", {text: note.code})));
      }
      list.append(item);
    });
    state.portalVersion = data.portal_version;
  }

  async function refreshPanel() {
    if (!state.current) return;
    if (state.panelLoading) { state.panelDirty = true; return state.panelLoading; }
    const employee = state.current;
    state.panelLoading = (async () => {
      do {
        state.panelDirty = false;
        try {
          const lang = state.lang;
          const data = await api(`/api/portal/${employee.bitrix_id}?lang=${lang}`);
          if (state.current !== employee) return;
          if (state.lang !== lang) { state.panelDirty = true; continue; }  // switched meanwhile: ask again
          renderPanel(data);
        } catch (error) {
          toast(tr("toast.portal_failed", {error: error.message}), "error");
          return;
        }
      } while (state.panelDirty);
    })();
    try { await state.panelLoading; } finally { state.panelLoading = null; }
  }

  // ------------------------------------------------------------------ clock controls

  function clockError(message) {
    const box = $("clock-error");
    box.hidden = !message;
    box.textContent = message || "";
  }

  async function moveClock(path, body) {
    clockError(null);
    for (const button of document.querySelectorAll(".clock-card button")) button.disabled = true;
    try {
      const data = await api(path, body);
      setClock(data.clock);
      const minutes = Math.round(data.advanced_seconds / 60);
      toast(tr("toast.moved", {span: formatSpan(minutes)}));
      await refreshPanel();
      await refreshChat();
    } catch (error) {
      clockError(error.message);
    } finally {
      for (const button of document.querySelectorAll(".clock-card button")) button.disabled = false;
    }
  }

  // ------------------------------------------------------------------ live feed

  function setOnline(online) {
    $("offline").hidden = online;
    document.body.classList.toggle("is-offline", !online);
  }

  async function feed() {
    let backoff = 500;
    for (;;) {
      const params = new URLSearchParams({since: String(state.seq), timeout: String(LONG_POLL_SECONDS)});
      if (state.portalVersion) params.set("portal", state.portalVersion);
      let data;
      try {
        data = await api(`/api/events?${params}`);
      } catch (error) {
        setOnline(false);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      backoff = 500;
      if (data.stopping) { setOnline(false); await sleep(1000); continue; }
      setOnline(true);
      setClock(data.clock);
      if (data.reset) { await start(true); return; }
      state.seq = data.seq;
      handleEvents(data);
    }
  }

  function handleEvents(data) {
    const current = state.current ? state.current.telegram_id : null;
    let chatChanged = data.truncated;
    let panelChanged = data.portal_changed;
    for (const event of data.events) {
      if (event.chat_id === current) {
        if (["message_sent", "message_edited", "message_deleted", "user_message"].includes(event.type)) {
          chatChanged = true;
          panelChanged = true;
          if (event.type !== "user_message") setTyping(false);
        } else if (event.type === "chat_action") {
          setTyping(event.action === "typing");
        } else if (event.type === "callback_answered" && event.text) {
          toast(event.text, event.show_alert ? "alert" : "info", event.show_alert ? 6000 : 3500);
        }
      } else if (event.type === "message_sent" && event.chat_id !== null) {
        state.unread.set(event.chat_id, (state.unread.get(event.chat_id) || 0) + 1);
      }
    }
    renderUnread();
    if (chatChanged) refreshChat();
    if (panelChanged) refreshPanel();
  }

  // ------------------------------------------------------------------ start

  function wireControls() {
    const form = $("chat-form");
    const input = $("chat-input");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value;
      if (!text.trim()) { input.focus(); return; }
      input.value = "";
      autosize();
      const sent = await sendText(text);
      if (sent === false) { input.value = text; autosize(); }
      input.focus();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", autosize);

    $("messages").addEventListener("click", (event) => {
      const command = event.target.closest(".cmd-link");
      if (command) { sendText(command.dataset.command); return; }
      const code = event.target.closest(".text code");
      if (code && !event.target.closest("pre")) {
        fillInput(code.textContent);
        toast(tr("toast.copied"));
      }
    });
    for (const button of document.querySelectorAll(".inline-cmd")) {
      button.addEventListener("click", () => sendText(button.dataset.command));
    }
    for (const button of document.querySelectorAll("[data-minutes]")) {
      button.addEventListener("click", () => moveClock("/api/clock/advance", {minutes: Number(button.dataset.minutes)}));
    }
    for (const button of document.querySelectorAll(".lang-switch .lang")) {
      button.addEventListener("click", () => {
        state.langChosen = button.dataset.lang;
        try { localStorage.setItem(LANG_KEY, button.dataset.lang); } catch (error) { /* private mode */ }
        setLanguage(button.dataset.lang);
      });
    }
    $("jump-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("jump-time").value;
      if (!value) { clockError(tr("clock.pick_time")); return; }
      moveClock("/api/clock/jump", {time: value, bitrix_id: state.current ? state.current.bitrix_id : null});
    });
  }

  async function start(restarted = false) {
    let session;
    for (;;) {
      try { session = await api("/api/session"); break; } catch (error) { setOnline(false); await sleep(1000); }
    }
    setOnline(true);
    state.session = session;
    state.employees = session.employees;
    state.seq = session.seq;
    state.portalVersion = session.portal_version;
    state.strings = session.strings || {};
    applyStrings();
    setClock(session.clock);
    setTyping(false);
    $("chat-title").textContent = session.bot.name;
    const previous = state.current;
    state.current = null;
    renderEmployees();
    const first = employeeFromHash()
      || (previous && state.employees.find((e) => e.bitrix_id === previous.bitrix_id))
      || state.employees.find((e) => e.active) || state.employees[0];
    if (first) await choose(first);
    if (restarted) toast(tr("toast.restarted"));
    feed();
  }

  document.addEventListener("DOMContentLoaded", () => {
    try {
      const saved = localStorage.getItem(LANG_KEY);
      if (saved === "en" || saved === "ru") state.langChosen = saved;
    } catch (error) { /* storage off: follow the employee */ }
    wireControls();
    setInterval(renderClock, 1000);
    setInterval(() => { if (!document.hidden) refreshPanel(); }, PANEL_REFRESH_MS);
    start();
  });
})();
