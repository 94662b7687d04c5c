// tests/js/sarif.js - validates SARIF files against the SARIF 2.1.0 JSON schema
// committed in tests/schema/ (draft-04, checked with ajv including its
// formats: uri, uri-reference, date-time). Prints one line per file: "ok FILE"
// or "invalid FILE: <path> <message>" for each error; exits 1 on any invalid.
//
// usage: node sarif.js FILE.sarif...
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schema', 'sarif-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language pattern has a stray ']';
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
    let doc;
    try {
        doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
        console.log(`invalid ${file}: not JSON: ${err.message}`);
        bad++;
        continue;
    }
    if (validate(doc)) {
        console.log(`ok ${file}`);
    } else {
        bad++;
        for (const e of validate.errors) console.log(`invalid ${file}: ${e.instancePath || '/'} ${e.message}`);
    }
}
process.exit(bad ? 1 : 0);
