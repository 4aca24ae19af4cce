/**
 * The one pin of Temporal's production server: what `npm run temporal:server` builds, what CI
 * runs the deployment tests on, and the tag docker-compose.yml and deploy/ must use for
 * temporalio/server, temporalio/auto-setup and temporalio/admin-tools (a unit test compares
 * them), so the server CI proves is the server users deploy.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
