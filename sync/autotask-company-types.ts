/**
 * Autotask's companyType picklist. The mapping screens show Customers by default (issue 17):
 * an MSP bills its customers, and its Prospects and Leads would only crowd the choices.
 */
export const AUTOTASK_COMPANY_TYPES = { 1: 'Customer', 2: 'Lead', 3: 'Prospect', 4: 'Dead', 6: 'Cancelation', 7: 'Vendor', 8: 'Partner' } as const;
export type AutotaskCompanyType = keyof typeof AUTOTASK_COMPANY_TYPES;
export const autotaskCompanyTypeIds = Object.keys(AUTOTASK_COMPANY_TYPES).map(Number) as AutotaskCompanyType[];
export const CUSTOMER_COMPANY_TYPE = 1;
