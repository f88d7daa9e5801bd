import 'reflect-metadata';
import { exitOnStartupError, serve } from './server';

serve().catch(exitOnStartupError);
