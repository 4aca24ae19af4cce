/**
 * The most units the service will set on one contract service. Far beyond any MSP customer's
 * user count, so a count past it is a wrong number upstream (a bad month-end total, a unit
 * mix-up): billing it would be an invoice nobody can explain, and past int32 it fits neither
 * Autotask's fields nor our result columns. The plan refuses it per service; set-units checks
 * again before anything is sent.
 */
export const MAX_UNITS = 1_000_000;
