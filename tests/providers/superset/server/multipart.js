// SPDX-License-Identifier: MIT
// multipart/form-data for the local Superset API's import route: splits a body into its
// parts ({name, filename, contentType, data: Buffer}); null when the body or the
// boundary is malformed.
'use strict';

function parseMultipart(body, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || '');
  if (!m) return null;
  const delimiter = Buffer.from('--' + (m[1] || m[2]).trim());
  const parts = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') return null;
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return null;
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) return null;
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers);
    const name = disposition && /\bname="([^"]*)"/i.exec(disposition[1]);
    const filename = disposition && /\bfilename="([^"]*)"/i.exec(disposition[1]);
    const type = /content-type:\s*([^\r\n]*)/i.exec(headers);
    parts.push({
      name: name ? name[1] : '',
      filename: filename ? filename[1] : null,
      contentType: type ? type[1].trim() : null,
      data: body.subarray(headerEnd + 4, next),
    });
    pos = next + 2;
  }
}

module.exports = { parseMultipart };
