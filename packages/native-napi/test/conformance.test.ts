import { describeBackendConformance } from '@mmapkit/conformance';
import { backend } from '../src/index.js';

describeBackendConformance(backend);
