/*
 * verdict_providers.c - the providers' documented batch tiers (and flex tiers)
 * for `price SITE PROVIDER ...` (verdicts stage, PRODUCT.md §3 price, §4 cost,
 * issue 5 "Cost"). Only what each provider's own pages say, with the page and
 * the date it was read; 0 or "" where a figure is not documented.
 */
#include <string.h>

#include "utc.h"
#include "verdict.h"

/* The providers write "MB" and "GB"; read as powers of ten, the smaller reading. */
#define MB (UINT64_C(1000) * 1000)
#define GB (MB * 1000)
#define CHECKED "2026-11-24"

const struct verdict_provider verdict_providers[] = {
    {
        .name = "openai",
        .title = "OpenAI Batch API",
        .batch_discount = 0.5,
        .completion_window_us = 24 * USEC_PER_HOUR,
        .batch_endpoint = "POST /v1/batches",
        .request_format = "a JSONL file of requests (custom_id, method, url, body), one model "
                          "per file, uploaded to POST /v1/files with purpose=batch",
        .max_requests = 50000,
        .max_bytes = 200 * MB,
        .limits_note = "up to 50,000 requests and 200 MB per input file; /v1/embeddings "
                       "batches also at most 50,000 embedding inputs in all; completion_window "
                       "\"24h\" is the only value",
        .flex_discount = 0.5,
        .flex_how = "service_tier: \"flex\"",
        .flex_note = "flex processing (beta, some models) on Responses and Chat Completions: "
                     "tokens at Batch API rates, slower answers, occasionally no capacity",
        .doc_url = "https://developers.openai.com/api/docs/guides/batch",
        .checked = CHECKED,
    },
    {
        .name = "anthropic",
        .title = "Anthropic Message Batches API",
        .batch_discount = 0.5,
        .completion_window_us = 24 * USEC_PER_HOUR,
        .batch_endpoint = "POST /v1/messages/batches",
        .request_format = "one request body listing the Messages API requests, each with its "
                          "custom_id and params",
        .max_requests = 100000,
        .max_bytes = 256 * MB,
        .limits_note = "100,000 requests or 256 MB per batch, whichever comes first; most "
                       "batches end within 1 hour, every batch within 24 hours",
        .flex_discount = 0,
        .flex_how = "",
        .flex_note = "",
        .doc_url = "https://platform.claude.com/docs/en/build-with-claude/batch-processing",
        .checked = CHECKED,
    },
    {
        .name = "gemini",
        .title = "Gemini API Batch Mode",
        .batch_discount = 0.5,
        .completion_window_us = 24 * USEC_PER_HOUR,
        .batch_endpoint = "POST models/{model}:batchGenerateContent",
        .request_format = "inline GenerateContentRequests (under 20 MB in all) or a JSONL "
                          "file of them uploaded with the File API",
        .max_requests = 0,
        .max_bytes = 2 * GB,
        .limits_note = "24 hours is the target turnaround, most jobs are quicker; input files "
                       "up to 2 GB, 20 GB of files stored, 100 concurrent batches; no request "
                       "count per batch is documented",
        .flex_discount = 0.5,
        .flex_how = "service_tier: \"flex\"",
        .flex_note = "Flex inference (preview): synchronous, minutes of latency (1-15 min "
                     "target), best-effort availability",
        .doc_url = "https://ai.google.dev/gemini-api/docs/batch-mode",
        .checked = CHECKED,
    },
    {
        .name = "vertex",
        .title = "Vertex AI batch inference for Gemini",
        .batch_discount = 0.5,
        .completion_window_us = 24 * USEC_PER_HOUR,
        .batch_endpoint = "POST projects/{project}/locations/{location}/batchPredictionJobs",
        .request_format = "a JSONL file of requests in Cloud Storage, or a BigQuery table",
        .max_requests = 200000,
        .max_bytes = 1 * GB,
        .limits_note = "up to 200,000 requests per job and a 1 GB input file from Cloud "
                       "Storage; most jobs complete within 24 hours of starting, and a job "
                       "may queue up to 72 hours first",
        .flex_discount = 0.5,
        .flex_how = "X-Vertex-AI-LLM-Shared-Request-Type: flex",
        .flex_note = "Flex PayGo (preview, global endpoint, some Gemini models): synchronous, "
                     "longer latency and more throttling, requests time out after 20-30 min",
        .doc_url = "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/"
                   "batch-prediction-gemini",
        .checked = CHECKED,
    },
    {
        .name = "bedrock",
        .title = "Amazon Bedrock batch inference",
        .batch_discount = 0.5,
        .completion_window_us = 24 * USEC_PER_HOUR,
        .batch_endpoint = "CreateModelInvocationJob (POST /model-invocation-job)",
        .request_format = "JSONL files of {recordId, modelInput} records in an S3 location",
        .max_requests = 0,
        .max_bytes = 0,
        .limits_note = "no completion target is documented: a job times out after "
                       "timeoutDurationInHours, 24 to 168 h; records per job, records and "
                       "bytes per input file and the minimum records per job (100 by "
                       "default) are per-model service quotas; its Flex tier's discount "
                       "varies by model",
        .flex_discount = 0,
        .flex_how = "",
        .flex_note = "",
        .doc_url = "https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html",
        .checked = CHECKED,
    },
    {
        .name = "azure",
        .title = "Azure OpenAI Global Batch",
        .batch_discount = 0.5,
        .completion_window_us = 24 * USEC_PER_HOUR,
        .batch_endpoint = "POST /openai/v1/batches",
        .request_format = "a JSONL file uploaded to /openai/v1/files with purpose=batch, or "
                          "read from Azure Blob Storage",
        .max_requests = 100000,
        .max_bytes = 200 * MB,
        .limits_note = "24-hour target turnaround, but jobs that take longer are not expired; "
                       "100,000 requests and 200 MB per input file (1 GB with your own "
                       "storage)",
        .flex_discount = 0.5,
        .flex_how = "service_tier: \"flex\"",
        .flex_note = "flex processing (preview, Global Standard deployments of supported "
                     "models): no latency SLA; unsupported models get HTTP 400",
        .doc_url = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/batch",
        .checked = CHECKED,
    },
};

const unsigned verdict_n_providers = sizeof verdict_providers / sizeof verdict_providers[0];

const struct verdict_provider *verdict_provider_find(const char *name)
{
    for (unsigned i = 0; name && i < verdict_n_providers; i++)
        if (strcmp(verdict_providers[i].name, name) == 0)
            return &verdict_providers[i];
    return NULL;
}
