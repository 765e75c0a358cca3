// SPDX-License-Identifier: MIT
// Rison (the URL-friendly JSON that Superset's `q` parameter carries) for the local
// Superset API: objects (a:1,b:'x'), arrays !(…), strings '…' with !' and !! escapes,
// bare identifiers, numbers, !t !f !n. Anything else throws, which the server answers
// with Superset's (FAB's) 400 "Not a valid rison argument".
'use strict';

const IDENT = /[A-Za-z0-9_.\/~\-$*@]/;

function parseRison(text) {
  let i = 0;
  const fail = (why) => { throw new Error(`rison: ${why} at ${i}`); };
  function value() {
    const c = text[i];
    if (c === undefined) fail('unexpected end');
    if (c === '(') {
      i++;
      const obj = {};
      if (text[i] === ')') { i++; return obj; }
      for (;;) {
        const key = text[i] === "'" ? string() : ident();
        if (text[i] !== ':') fail('expected :');
        i++;
        obj[key] = value();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ')') { i++; return obj; }
        fail('expected , or )');
      }
    }
    if (c === '!') {
      const d = text[i + 1];
      if (d === 't') { i += 2; return true; }
      if (d === 'f') { i += 2; return false; }
      if (d === 'n') { i += 2; return null; }
      if (d === '(') {
        i += 2;
        const arr = [];
        if (text[i] === ')') { i++; return arr; }
        for (;;) {
          arr.push(value());
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ')') { i++; return arr; }
          fail('expected , or )');
        }
      }
      fail('unknown ! escape');
    }
    if (c === "'") return string();
    if (/[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?(e[-+]?[0-9]+)?/.exec(text.slice(i));
      if (m && m[0] !== '-') {
        const after = text[i + m[0].length];
        if (after === undefined || /[,):]/.test(after)) { i += m[0].length; return Number(m[0]); }
      }
    }
    return ident();
  }
  function ident() {
    const start = i;
    while (i < text.length && IDENT.test(text[i])) i++;
    if (i === start) fail('expected a value');
    return text.slice(start, i);
  }
  function string() {
    i++;
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('unterminated string');
      if (c === "'") { i++; return out; }
      if (c === '!') {
        const d = text[i + 1];
        if (d !== "'" && d !== '!') fail('bad escape');
        out += d;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
  }
  const result = value();
  if (i !== text.length) fail('trailing text');
  return result;
}

module.exports = { parseRison };
