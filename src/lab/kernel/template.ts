/** The Kernel view's blank start: a simple, correct kernel that documents the contract. */
import template from './template.wgsl?raw';

/** WGSL of the blank template (header, bindings, preamble, dispatch and check explained). */
export const BLANK_TEMPLATE: string = template;
