// Renders a markdown file as GitHub would show it, for the tests that check what a
// reader sees of converge's comments: markdown-it (CommonMark + GFM tables and
// strikethrough) with raw HTML allowed and linkify on, then the HTML parsed by a
// browser-grade parser (parse5). Prints one JSON object on stdout:
//   html               the rendered HTML
//   text               the text content of the whole document
//   text_outside_code  the text content outside <code> and <pre>
//   code               the text content of each <code> element, in order
//   elements           {tag: count} of every element
//   attributes         [{tag, name, value}] of every attribute of every element
//   links              [{href, text}] of every <a>
//   comments           the data of every HTML comment
//   blocks             the text content of each top-level element, in order
// Usage: node render.mjs FILE
import { readFileSync } from 'node:fs';
import MarkdownIt from 'markdown-it';
import { parseFragment } from 'parse5';

const markdown = readFileSync(process.argv[2], 'utf8');
const html = new MarkdownIt({ html: true, linkify: true }).render(markdown);

const out = { html, text: '', text_outside_code: '', code: [], elements: {}, attributes: [], links: [], comments: [], blocks: [] };

function textOf(node) {
  if (node.nodeName === '#text') return node.value;
  return (node.childNodes || []).map(textOf).join('');
}

function walk(node, inCode) {
  if (node.nodeName === '#text') {
    out.text += node.value;
    if (!inCode) out.text_outside_code += node.value;
    return;
  }
  if (node.nodeName === '#comment') {
    out.comments.push(node.data);
    return;
  }
  const children = node.nodeName === 'template' ? node.content.childNodes : node.childNodes || [];
  if (node.tagName) {
    out.elements[node.tagName] = (out.elements[node.tagName] || 0) + 1;
    for (const a of node.attrs) out.attributes.push({ tag: node.tagName, name: a.name, value: a.value });
    if (node.tagName === 'code') out.code.push(textOf(node));
    if (node.tagName === 'a') {
      const href = node.attrs.find((a) => a.name === 'href');
      out.links.push({ href: href ? href.value : null, text: textOf(node) });
    }
  }
  const code = inCode || node.tagName === 'code' || node.tagName === 'pre';
  for (const child of children) walk(child, code);
}

const fragment = parseFragment(html);
walk(fragment, false);
out.blocks = fragment.childNodes.filter((n) => n.tagName).map(textOf);
process.stdout.write(JSON.stringify(out));
