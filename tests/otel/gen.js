// gen.js - makes tests/data/otlp/genai.jsonl with the real OpenTelemetry JS SDK
// (sdk-trace-base spans, otlp-transformer's JSON serializer: the OTLP JSON the
// Collector's file exporter writes, one ExportTraceServiceRequest per line).
// Run: cd tests/otel && npm ci && npm run gen.  Ground truth (tests/cli/otlp.sh):
//   gpt-4o-mini    120 chat calls, each read by a span linked to it 3 h after it ended
//   claude-3-haiku 120 chat calls, each read 50 ms after it ended
//   text-embedding-3-small 120 embeddings calls, never read
// Calls every 60 s from 2026-01-05T00:00:00Z; each call lasts 800 ms.
'use strict';
const api = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } =
    require('@opentelemetry/sdk-trace-base');
const { Resource } = require('@opentelemetry/resources');
const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');

// Deterministic ids: a counter, so that the file is the same at every run.
let next = 1;
const hex = (n, w) => n.toString(16).padStart(w, '0');
const idGenerator = {
    generateTraceId: () => hex(0xa000 + next++, 32),
    generateSpanId: () => hex(0xb000 + next++, 16),
};

const T0 = Date.UTC(2026, 0, 5) / 1000; // seconds
const hr = (sec, ns) => [sec + Math.floor(ns / 1e9), ns % 1e9];
const N = 120;

function provider(service) {
    const exporter = new InMemorySpanExporter();
    const p = new BasicTracerProvider({
        resource: new Resource({ 'service.name': service, 'deployment.environment': 'test' }),
        idGenerator,
        spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    return { p, exporter, tracer: p.getTracer('tempo-fixture', '1.0.0') };
}

const gw = provider('chat-gateway');
const rd = provider('report-worker');

const models = [
    { model: 'gpt-4o-mini', op: 'chat', waitNs: 3 * 3600 * 1e9, old: false },
    { model: 'claude-3-haiku', op: 'chat', waitNs: 50 * 1e6, old: true },
    { model: 'text-embedding-3-small', op: 'embeddings', waitNs: null, old: false },
];

models.forEach((m, mi) => {
    for (let i = 0; i < N; i++) {
        const startS = T0 + i * 60;
        const startNs = mi * 1000; // sites a few µs apart
        const endNs = startNs + 800 * 1e6;
        const attrs = {
            'gen_ai.operation.name': m.op,
            'gen_ai.request.model': m.model,
            'gen_ai.response.model': m.model,
            'gen_ai.response.id': `resp-${mi}-${i}`,
        };
        // Old and new convention names, as exporters still write both.
        if (m.old) {
            attrs['gen_ai.system'] = 'anthropic';
            attrs['gen_ai.usage.prompt_tokens'] = 100 + i;
            attrs['gen_ai.usage.completion_tokens'] = 20;
        } else {
            attrs['gen_ai.provider.name'] = 'openai';
            attrs['gen_ai.usage.input_tokens'] = 100 + i;
            attrs['gen_ai.usage.output_tokens'] = m.op === 'chat' ? 20 : 0;
        }
        attrs['gen_ai.request.temperature'] = 0.5;
        attrs['gen_ai.request.stop_sequences'] = ['END', 'STOP'];
        attrs['gen_ai.request.stream'] = false;
        const call = gw.tracer.startSpan(`${m.op} ${m.model}`, {
            kind: api.SpanKind.CLIENT,
            startTime: hr(startS, startNs),
            attributes: attrs,
        });
        call.setStatus({ code: api.SpanStatusCode.OK });
        call.end(hr(startS, endNs));
        if (m.waitNs === null)
            continue;
        const readNs = endNs + m.waitNs;
        const read = rd.tracer.startSpan('GET /results/{id}', {
            kind: api.SpanKind.SERVER,
            startTime: hr(startS, readNs),
            links: [{ context: call.spanContext() }],
            attributes: { 'http.route': '/results/{id}', 'http.request.method': 'GET',
                          'http.response.status_code': 200 },
        });
        read.end(hr(startS, readNs + 5 * 1e6));
    }
});

// The Collector's file exporter: one request per line, in batches as a
// BatchSpanProcessor would send them (here: 100 spans, by end time).
const spans = [...gw.exporter.getFinishedSpans(), ...rd.exporter.getFinishedSpans()];
const ns = (t) => BigInt(t[0]) * 1000000000n + BigInt(t[1]);
spans.sort((a, b) => (ns(a.endTime) < ns(b.endTime) ? -1 : ns(a.endTime) > ns(b.endTime) ? 1 : 0));
for (let k = 0; k < spans.length; k += 100) {
    const bytes = JsonTraceSerializer.serializeRequest(spans.slice(k, k + 100));
    process.stdout.write(Buffer.from(bytes).toString('utf8') + '\n');
}
