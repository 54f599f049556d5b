export { hasPostgres, PG_BIN, startPostgres, type ThrowawayPostgres } from '../../scripts/lib/throwaway-postgres.js';
