export * from './aggregate';
export * from './suggest';
export * from './track';
export * from './types';
export * from './lessons';
