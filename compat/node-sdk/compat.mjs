// Drives a running Ivorey with the official HighLevel Node SDK (@gohighlevel/api-client), the way
// a HighLevel customer's script would after changing only its base URL and token.
//
// Input (environment):
//   BASE_URL      where Ivorey listens, e.g. http://127.0.0.1:8080
//   TOKEN         a Private Integration token holding every scope the enabled steps use
//   NARROW_TOKEN  a token of the same location holding only contacts.readonly
//   LOCATION_ID   the tokens' location
//   PIPELINE_ID   a pipeline of that location with at least two stages
//   CALENDAR_ID   optional: a calendar to book; without it the calendars steps create one
//   IVOREY_COMPAT_AREAS  comma-separated areas whose steps run in addition to the core ones:
//                 contacts-search, conversations, calendars, forms, payments
//
// Output: one JSON line per step on stdout, {"step": "...", "ok": true, ...}; on the first
// failure a line with "ok": false and the error, then exit status 1. Before its step line, each
// HTTP answer the SDK received: {"exchange": {"method", "path", "status", "body"}}. The Rust test
// (crates/ivorey/tests/node_sdk.rs) checks that every expected step printed ok.

import assert from 'node:assert/strict';
import { HighLevel, GHLError, GHLAuthenticationError } from '@gohighlevel/api-client';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};
const BASE_URL = env('BASE_URL');
const LOCATION_ID = env('LOCATION_ID');
const PIPELINE_ID = env('PIPELINE_ID');
const AREAS = new Set(
  (process.env.IVOREY_COMPAT_AREAS ?? '').split(',').map((a) => a.trim()).filter(Boolean),
);

// The SDK has no base-URL option: every service shares one axios instance, so pointing that
// instance at Ivorey re-points them all. The Version header is the SDK's default (2023-02-21).
function client(token) {
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
const ghl = client(env('TOKEN'));
const narrow = client(env('NARROW_TOKEN'));

function report(step, details = {}) {
  process.stdout.write(`${JSON.stringify({ step, ok: true, ...details })}\n`);
}

async function step(name, body) {
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
async function rejection(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  assert.fail('the call succeeded but should have been refused');
}

const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const state = {};

// ---- contacts -------------------------------------------------------------------------------

await step('contact.create', async () => {
  const created = await ghl.contacts.createContact({
    locationId: LOCATION_ID,
    firstName: 'Ada',
    lastName: `Sdk${unique}`,
    email: `ada.${unique}@example.com`,
    phone: '+14155550123',
    tags: ['sdk-compat'],
  });
  assert.equal(typeof created.contact?.id, 'string', 'contact.id');
  assert.equal(created.contact.locationId, LOCATION_ID);
  assert.equal(created.contact.firstName, 'Ada');
  state.contact = created.contact;
  // A second contact, only to be deleted by the delete step.
  const doomed = await ghl.contacts.createContact({ locationId: LOCATION_ID, firstName: 'Doomed' });
  state.doomedId = doomed.contact.id;
  return { contactId: state.contact.id, deletedContactId: state.doomedId };
});

await step('contact.get', async () => {
  const got = await ghl.contacts.getContact({ contactId: state.contact.id });
  assert.equal(got.contact.id, state.contact.id);
  assert.equal(got.contact.email, `ada.${unique}@example.com`);
  assert.deepEqual(got.contact.tags, ['sdk-compat']);
});

if (AREAS.has('contacts-search')) {
  await step('contact.search', async () => {
    const found = await ghl.contacts.searchContactsAdvanced({
      locationId: LOCATION_ID,
      pageLimit: 20,
      query: `Sdk${unique}`,
    });
    assert.ok(Array.isArray(found.contacts), 'contacts is an array');
    assert.deepEqual(found.contacts.map((c) => c.id), [state.contact.id]);
    assert.equal(found.total, 1);
  });
}

await step('contact.update', async () => {
  const updated = await ghl.contacts.updateContact(
    { contactId: state.contact.id },
    { lastName: `Lovelace${unique}`, companyName: 'Analytical Engines' },
  );
  assert.equal(updated.succeded, true, 'HighLevel spells it "succeded"');
  assert.equal(updated.contact.lastName, `Lovelace${unique}`);
  assert.equal(updated.contact.firstName, 'Ada', 'fields not named stay');
  return { contactId: state.contact.id, lastName: updated.contact.lastName };
});

await step('contact.delete', async () => {
  const deleted = await ghl.contacts.deleteContact({ contactId: state.doomedId });
  assert.equal(deleted.succeded, true);
  const gone = await rejection(() => ghl.contacts.getContact({ contactId: state.doomedId }));
  assert.ok(gone instanceof GHLError, `a GHLError, not ${gone}`);
  assert.equal(gone.statusCode, 404);
  return { contactId: state.doomedId };
});

// ---- opportunities --------------------------------------------------------------------------

await step('pipelines.list', async () => {
  const { pipelines } = await ghl.opportunities.getPipelines({ locationId: LOCATION_ID });
  const pipeline = pipelines.find((p) => p.id === PIPELINE_ID);
  assert.ok(pipeline, `pipeline ${PIPELINE_ID} is listed`);
  assert.ok(pipeline.stages.length >= 2, 'the pipeline has two stages to move between');
  state.stages = pipeline.stages.map((s) => s.id);
  return { stages: state.stages };
});

await step('opportunity.create', async () => {
  const { opportunity } = await ghl.opportunities.createOpportunity({
    pipelineId: PIPELINE_ID,
    locationId: LOCATION_ID,
    name: `SDK deal ${unique}`,
    status: 'open',
    contactId: state.contact.id,
    monetaryValue: 1250.5,
  });
  assert.equal(typeof opportunity.id, 'string');
  assert.equal(opportunity.pipelineStageId, state.stages[0], 'lands in the first stage');
  assert.equal(opportunity.monetaryValue, 1250.5);
  state.opportunityId = opportunity.id;
  return { opportunityId: opportunity.id };
});

await step('opportunity.move', async () => {
  const { opportunity } = await ghl.opportunities.updateOpportunity(
    { id: state.opportunityId },
    { pipelineStageId: state.stages[1] },
  );
  assert.equal(opportunity.pipelineStageId, state.stages[1]);
  const got = await ghl.opportunities.getOpportunity({ id: state.opportunityId });
  assert.equal(got.opportunity.pipelineStageId, state.stages[1]);
  assert.equal(got.opportunity.name, `SDK deal ${unique}`, 'the name stays');
  return { opportunityId: state.opportunityId, pipelineStageId: state.stages[1] };
});

// ---- users ----------------------------------------------------------------------------------

await step('users.list', async () => {
  const { users } = await ghl.users.getUserByLocation({ locationId: LOCATION_ID });
  assert.ok(users.length >= 1, 'the location has its admin');
  assert.ok(users.every((u) => typeof u.id === 'string' && typeof u.email === 'string'));
  return { users: users.length };
});

// ---- scopes ---------------------------------------------------------------------------------

await step('scope.refused', async () => {
  // The narrow token reads contacts...
  const got = await narrow.contacts.getContact({ contactId: state.contact.id });
  assert.equal(got.contact.id, state.contact.id);
  // ...but may not write them; the SDK reports HighLevel's 401 as its authentication error.
  const refused = await rejection(() =>
    narrow.contacts.createContact({ locationId: LOCATION_ID, firstName: 'Nope' }),
  );
  assert.ok(refused instanceof GHLAuthenticationError, `GHLAuthenticationError, not ${refused}`);
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.code, 'AUTHENTICATION');
  assert.equal(refused.message, 'The token is not authorized for this scope.');
  assert.equal(refused.response?.statusCode, 401);
  return { status: refused.statusCode, message: refused.message };
});

// ---- areas enabled as they land -------------------------------------------------------------

if (AREAS.has('conversations')) {
  await step('conversations.sms', async () => {
    // What most JavaScript callers send: only the fields an SMS needs.
    const sent = await ghl.conversations.sendANewMessage({
      type: 'SMS',
      contactId: state.contact.id,
      message: `Hello from the SDK ${unique}`,
    });
    assert.equal(typeof sent.conversationId, 'string', 'conversationId');
    assert.equal(typeof sent.messageId, 'string', 'messageId');
    state.smsId = sent.messageId;
    return { conversationId: sent.conversationId, messageId: sent.messageId };
  });

  await step('conversations.email', async () => {
    // What a TypeScript caller sends: SendMessageBodyDto types subType and status as required.
    const sent = await ghl.conversations.sendANewMessage({
      type: 'Email',
      subType: 'Email',
      status: 'pending',
      contactId: state.contact.id,
      subject: `SDK compat ${unique}`,
      html: '<p>Hello from the <b>SDK</b></p>',
    });
    assert.equal(typeof sent.conversationId, 'string', 'conversationId');
    assert.equal(typeof sent.messageId, 'string', 'messageId');
    assert.notEqual(sent.messageId, state.smsId, 'a new message');
    return { conversationId: sent.conversationId, messageId: sent.messageId };
  });
}

/** The offered slot times (ISO strings) of a free-slots answer, in order. */
function slotTimes(answer) {
  return Object.entries(answer)
    .filter(([day]) => /^\d{4}-\d{2}-\d{2}$/.test(day))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([, day]) => day.slots);
}

if (AREAS.has('calendars')) {
  const slotWindow = () => {
    const start = Date.now() + 24 * 3600 * 1000;
    return { startDate: start, endDate: start + 6 * 24 * 3600 * 1000, timezone: 'UTC' };
  };

  await step('calendars.slots', async () => {
    state.calendarId = process.env.CALENDAR_ID;
    if (!state.calendarId) {
      const { calendar } = await ghl.calendars.createCalendar({
        locationId: LOCATION_ID,
        name: `SDK compat ${unique}`,
        slotDuration: 30,
        slotInterval: 30,
        openHours: [
          {
            daysOfTheWeek: [0, 1, 2, 3, 4, 5, 6],
            hours: [{ openHour: 8, openMinute: 0, closeHour: 20, closeMinute: 0 }],
          },
        ],
      });
      state.calendarId = calendar.id;
    }
    const answer = await ghl.calendars.getSlots({ calendarId: state.calendarId, ...slotWindow() });
    const slots = slotTimes(answer);
    assert.ok(slots.length > 0, `free slots offered: ${JSON.stringify(answer)}`);
    state.slot = slots[0];
    return { calendarId: state.calendarId, slots: slots.length, first: state.slot };
  });

  await step('calendars.book', async () => {
    const end = new Date(Date.parse(state.slot) + 30 * 60 * 1000).toISOString();
    const booked = await ghl.calendars.createAppointment({
      calendarId: state.calendarId,
      locationId: LOCATION_ID,
      contactId: state.contact.id,
      startTime: state.slot,
      endTime: end,
      title: `SDK booking ${unique}`,
      appointmentStatus: 'confirmed',
    });
    assert.equal(typeof booked.id, 'string', 'appointment id');
    assert.equal(booked.calendarId, state.calendarId);
    assert.equal(booked.contactId, state.contact.id);
    assert.equal(Date.parse(booked.startTime), Date.parse(state.slot));
    // One appointment per slot: the booked time is no longer offered.
    const again = slotTimes(await ghl.calendars.getSlots({ calendarId: state.calendarId, ...slotWindow() }));
    assert.ok(!again.some((t) => Date.parse(t) === Date.parse(state.slot)), 'booked slot gone');
    return { appointmentId: booked.id, startTime: booked.startTime };
  });
}

if (AREAS.has('forms')) {
  await step('forms.submissions', async () => {
    const params = { locationId: LOCATION_ID, page: 1, limit: 20 };
    if (process.env.FORM_ID) params.formId = process.env.FORM_ID;
    const answer = await ghl.forms.getFormsSubmissions(params);
    assert.ok(Array.isArray(answer.submissions), 'submissions is an array');
    assert.equal(typeof answer.meta?.total, 'number', 'meta.total');
    assert.ok(answer.meta.total >= answer.submissions.length);
    assert.equal(answer.meta.currentPage, 1);
    return { submissions: answer.submissions.length, total: answer.meta.total };
  });
}

if (AREAS.has('payments')) {
  await step('payments.orders', async () => {
    // listOrders has no altType parameter; altId is the location.
    const answer = await ghl.payments.listOrders({
      locationId: LOCATION_ID,
      altId: LOCATION_ID,
      limit: 10,
      offset: 0,
    });
    assert.ok(Array.isArray(answer.data), 'data is an array');
    assert.equal(typeof answer.totalCount, 'number', 'totalCount');
    assert.ok(answer.totalCount >= answer.data.length);
    return { orders: answer.data.length, totalCount: answer.totalCount };
  });
}

report('done', { areas: [...AREAS].sort() });
