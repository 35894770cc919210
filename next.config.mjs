/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Docker-protocol packages must stay plain Node requires, not bundled.
  serverExternalPackages: ['dockerode', 'docker-modem', 'ssh2', 'cpu-features', 'node-pty', 'better-sqlite3', '@node-rs/argon2'],
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server.ts serves the app; standalone output cannot carry it.
  typedRoutes: false,
};

export default nextConfig;
