import type { FastifyInstance } from 'fastify';
import type { Store } from '../../storage/store.js';
import type { TrackStore } from '../../storage/track-store.js';
import type { WebHelpers } from './track-routes.js';
export function registerStartPage(_app: FastifyInstance, _store: Store, _ts: TrackStore, _h: WebHelpers) {}
