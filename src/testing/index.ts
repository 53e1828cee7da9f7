/** `vnet/testing`: fast-check arbitraries for property tests of clouds and rules. */
import * as arbitraries from './arbitraries.js';
export { arbitraries };
