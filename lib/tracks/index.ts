export { defineTrack, validateTrack } from './schema';
export type { TrackReferences } from './schema';
export type { Track, TrackInput, TrackStep, TrackStepInput } from './types';
