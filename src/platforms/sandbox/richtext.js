// Rich text for the sandbox page: the small markdown subset the engine writes (paragraphs, line
// breaks, "- " lists, "# " headings, **bold**, bare links, `code`) and `<@id>` mention tokens. Every
// piece of text is HTML-escaped before any markup is added. A typed `[label](url)` stays text (its
// URL still a link), as on Feishu and DingTalk: a label never hides where a link goes.
'use strict';

window.GFText = (function () {
  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  /** Builds the renderers; `mention(id, names)` returns the HTML of one mention token. */
  function make(mention) {
    const INLINE = /\*\*([\s\S]+?)\*\*|(https?:\/\/[\w\-.~:/?#@!$&*+,;=%]+)|<@([^<>\s]+)>|`([^`\n]+)`/g;

    function inline(text, names) {
      let out = '';
      let last = 0;
      for (const m of text.matchAll(INLINE)) {
        out += esc(text.slice(last, m.index));
        last = m.index + m[0].length;
        if (m[1] !== undefined) out += '<strong>' + inline(m[1], names) + '</strong>';
        else if (m[2] !== undefined) {
          // Trailing punctuation belongs to the sentence, not the URL.
          const url = m[2].replace(/[.,;:!?']+$/, '');
          out += link(url, esc(url));
          last -= m[2].length - url.length;
        } else if (m[3] !== undefined) out += mention(m[3], names);
        else if (m[4] !== undefined) out += '<code>' + esc(m[4]) + '</code>';
      }
      return out + esc(text.slice(last));
    }
    function link(url, label) {
      return `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
    }
    /** Markdown subset: paragraphs, line breaks, "- " lists, "# " headings, inline marks. */
    function markdown(text, names) {
      const blocks = [];
      let para = [];
      let list = [];
      const flushPara = () => {
        if (para.length) blocks.push('<p>' + para.map((l) => inline(l, names)).join('<br>') + '</p>');
        para = [];
      };
      const flushList = () => {
        if (list.length) blocks.push('<ul>' + list.map((l) => '<li>' + inline(l, names) + '</li>').join('') + '</ul>');
        list = [];
      };
      for (const line of String(text).split('\n')) {
        const item = /^\s*[-*•]\s+(.*)$/.exec(line);
        const head = /^#{1,4}\s+(.*)$/.exec(line);
        if (item) {
          flushPara();
          list.push(item[1]);
        } else if (head) {
          flushPara();
          flushList();
          blocks.push('<p class="h">' + inline(head[1], names) + '</p>');
        } else if (!line.trim()) {
          flushPara();
          flushList();
        } else {
          flushList();
          para.push(line);
        }
      }
      flushPara();
      flushList();
      return blocks.join('');
    }
    /** One-line values and what people typed: inline marks and line breaks only. */
    function plain(text, names) {
      return String(text)
        .split('\n')
        .map((l) => inline(l, names))
        .join('<br>');
    }
    return { inline, markdown, plain };
  }

  return { esc, make };
})();
