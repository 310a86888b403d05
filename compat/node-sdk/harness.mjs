// The harness of the SDK compatibility script: configuration from the environment, SDK
// clients re-pointed at Ivorey, and the JSON lines the Rust test reads (see compat.mjs).

import assert from 'node:assert/strict';
import { HighLevel, GHLError } from '@gohighlevel/api-client';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};
export const BASE_URL = env('BASE_URL');
export const LOCATION_ID = env('LOCATION_ID');
export const PIPELINE_ID = env('PIPELINE_ID');
export const AREAS = new Set(
  (process.env.IVOREY_COMPAT_AREAS ?? '').split(',').map((a) => a.trim()).filter(Boolean),
);

// The SDK has no base-URL option: every service shares one axios instance, so pointing that
// instance at Ivorey re-points them all. The Version header is the SDK's default (2023-02-21).
export function client(token) {
  const ghl = new HighLevel({ privateIntegrationToken: token, logLevel: 'none' });
  ghl.getHttpClient().defaults.baseURL = BASE_URL;
  // Every answer the SDK got, so the Rust side can check it against HighLevel's schemas. This
  // runs after the SDK's own interceptor, which has turned HTTP errors into GHLErrors.
  ghl.addResponseInterceptor({
    onFulfilled: (response) => {
      exchange(response.config, response.status, response.data);
      return response;
    },
    onRejected: (error) => {
      if (error instanceof GHLError && error.statusCode) {
        exchange(error.request, error.statusCode, error.response);
      }
      throw error;
    },
  });
  return ghl;
}

function exchange(request, status, body) {
  const method = String(request?.method ?? '').toUpperCase();
  const path = String(request?.url ?? '');
  process.stdout.write(`${JSON.stringify({ exchange: { method, path, status, body } })}\n`);
}
export function report(step, details = {}) {
  process.stdout.write(`${JSON.stringify({ step, ok: true, ...details })}\n`);
}

export async function step(name, body) {
  try {
    report(name, (await body()) ?? {});
  } catch (error) {
    const failure = { step: name, ok: false, error: String(error?.message ?? error) };
    if (error instanceof GHLError) {
      Object.assign(failure, { status: error.statusCode, response: error.response });
    }
    process.stdout.write(`${JSON.stringify(failure)}\n`);
    process.exit(1);
  }
}

/** The error a call rejected with (the call must fail). */
export async function rejection(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  assert.fail('the call succeeded but should have been refused');
}

/** Distinguishes this run's records from earlier runs' in the same location. */
export const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
