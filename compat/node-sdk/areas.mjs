// SDK steps of the areas that land after the core ones (conversations, calendars, forms,
// payments): each runs only when IVOREY_COMPAT_AREAS names its area, written from the SDK's
// own method signatures and HighLevel's OpenAPI files.

import assert from 'node:assert/strict';
import { AREAS, LOCATION_ID, step, unique } from './harness.mjs';

/** The offered slot times (ISO strings) of a free-slots answer, in order; other keys (Ivorey
 * and HighLevel add "traceId") are not days. */
function slotTimes(answer) {
  return Object.entries(answer)
    .filter(([day]) => /^\d{4}-\d{2}-\d{2}$/.test(day))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([, day]) => day.slots);
}

/** Runs the enabled areas' steps with the full-scope client `ghl`; `state.contact` exists. */
export async function areaSteps(ghl, state) {
  if (AREAS.has('conversations')) {
    await step('conversations.sms', async () => {
      // What most JavaScript callers send: only the fields an SMS needs.
      const message = `Hello from the SDK ${unique}`;
      const sent = await ghl.conversations.sendANewMessage({
        type: 'SMS',
        contactId: state.contact.id,
        message,
      });
      assert.equal(typeof sent.conversationId, 'string', 'conversationId');
      assert.equal(typeof sent.messageId, 'string', 'messageId');
      state.smsId = sent.messageId;
      return { conversationId: sent.conversationId, messageId: sent.messageId, message };
    });

    await step('conversations.email', async () => {
      // What a TypeScript caller sends: SendMessageBodyDto types subType and status as required.
      const subject = `SDK compat ${unique}`;
      const sent = await ghl.conversations.sendANewMessage({
        type: 'Email',
        subType: 'Email',
        status: 'pending',
        contactId: state.contact.id,
        subject,
        html: '<p>Hello from the <b>SDK</b></p>',
      });
      assert.equal(typeof sent.conversationId, 'string', 'conversationId');
      assert.equal(typeof sent.messageId, 'string', 'messageId');
      assert.notEqual(sent.messageId, state.smsId, 'a new message');
      return { conversationId: sent.conversationId, messageId: sent.messageId, subject };
    });
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
      const answer = await ghl.calendars.getSlots({
        calendarId: state.calendarId,
        ...slotWindow(),
      });
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
      const query = { calendarId: state.calendarId, ...slotWindow() };
      const again = slotTimes(await ghl.calendars.getSlots(query));
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
      return {
        submissions: answer.submissions.length,
        total: answer.meta.total,
        submissionIds: answer.submissions.map((s) => s.id),
      };
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
}
