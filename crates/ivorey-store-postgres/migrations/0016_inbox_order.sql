-- The inbox: unread conversations first, then by last message, with or without a channel
-- filter (the channel of the last message). Each page reads one unread state at a time, so
-- the keyset (last_activity_at, id) follows an equality on the unread expression.
CREATE INDEX conversations_inbox
    ON conversations (location_id, (unread_count > 0), last_activity_at, id);
CREATE INDEX conversations_inbox_by_channel
    ON conversations (location_id, last_message_type, (unread_count > 0), last_activity_at, id);
