import 'reflect-metadata';
import { startTracing } from './observability/tracing';
import { exitOnStartupError, serve } from './server';

// Tracing first (only when OTEL_* asks for it), so the first request is traced.
startTracing()
  .then((tracing) => serve({ onStopped: () => tracing?.shutdown() }))
  .catch(exitOnStartupError);
