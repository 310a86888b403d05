// Drives a running Ivorey with the official HighLevel Node SDK (@gohighlevel/api-client), the way
// a HighLevel customer's script would after changing only its base URL and token.
//
// Input (environment):
//   BASE_URL      where Ivorey listens, e.g. http://127.0.0.1:8080
//   TOKEN         a Private Integration token holding every scope the enabled steps use
//   NARROW_TOKEN  a token of the same location holding only contacts.readonly
//   LOCATION_ID   the tokens' location
//   PIPELINE_ID   a pipeline of that location with at least two stages (the test passes a new
//                 location's starter Sales Pipeline, which nobody set up)
//   CALENDAR_ID   optional: a calendar to book; without it the calendars steps create one
//   IVOREY_COMPAT_AREAS  comma-separated areas whose steps run in addition to the core ones:
//                 contacts-search, conversations, calendars, forms, payments
//
// Output: one JSON line per step on stdout, {"step": "...", "ok": true, ...}; on the first
// failure a line with "ok": false and the error, then exit status 1. Before its step line, each
// HTTP answer the SDK received: {"exchange": {"method", "path", "status", "body"}}. The Rust test
// (crates/ivorey/tests/api/node_sdk.rs) checks that every expected step printed ok.

import assert from 'node:assert/strict';
import { GHLError, GHLAuthenticationError } from '@gohighlevel/api-client';
import {
  AREAS, LOCATION_ID, PIPELINE_ID, client, env, rejection, report, step, unique,
} from './harness.mjs';
import { areaSteps } from './areas.mjs';

const ghl = client(env('TOKEN'));
const narrow = client(env('NARROW_TOKEN'));
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

await step('opportunity.status', async () => {
  const { succeded } = await ghl.opportunities.updateOpportunityStatus(
    { id: state.opportunityId },
    { status: 'won' },
  );
  assert.equal(succeded, true);
  const got = await ghl.opportunities.getOpportunity({ id: state.opportunityId });
  assert.equal(got.opportunity.status, 'won');
  return { opportunityId: state.opportunityId, status: got.opportunity.status };
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

await areaSteps(ghl, state);

report('done', { areas: [...AREAS].sort() });
