-- A copy of the database (staging, test) must never send documents to the production
-- Xero organisation: forget the tokens and mark every connection disconnected.
DELETE FROM xero_token;
UPDATE xero_connection
   SET state = 'disconnected',
       state_reason = 'Database copy (neutralized): connect again to sync with Xero';
-- Pending consents may hold live tokens (an organisation choice not made yet).
DELETE FROM xero_oauth_state;
