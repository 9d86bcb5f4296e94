// The reference tenant's (FleetFusion's) organization roles. Until the roles table is synced,
// role changes are validated against these plus the role keys already held by synced
// memberships; the fake Backend API serves them as the instance's roles.
export interface ReferenceRole {
  key: string;
  name: string;
  permissions: string[];
}

export const REFERENCE_ROLES: readonly ReferenceRole[] = [
  {
    key: 'org:admin',
    name: 'Admin',
    permissions: [
      'org:sys_domains:read',
      'org:sys_domains:manage',
      'org:sys_profile:manage',
      'org:sys_profile:delete',
      'org:sys_memberships:read',
      'org:sys_memberships:manage',
      'org:admin:access_all_reports',
      'org:admin:configure_company_settings',
      'org:admin:view_audit_logs',
      'org:admin:manage_users_and_roles',
      'org:admin:view_edit_all_loads',
      'org:sys_billing:manage',
      'org:sys_billing:read',
    ],
  },
  {
    key: 'org:compliance',
    name: 'Compliance',
    permissions: [
      'org:sys_memberships:read',
      'org:compliance:view_compliance_dashboard',
      'org:compliance:access_audit_logs',
      'org:compliance:generate_compliance_req',
      'org:compliance:upload_review_compliance',
    ],
  },
  {
    key: 'org:dispatcher',
    name: 'Dispatcher',
    permissions: [
      'org:sys_memberships:read',
      'org:dispatcher:create_edit_loads',
      'org:dispatcher:assign_drivers',
      'org:dispatcher:view_driver_vehicle_status',
      'org:dispatcher:access_dispatch_dashboard',
    ],
  },
  {
    key: 'org:driver',
    name: 'Driver',
    permissions: [
      'org:sys_memberships:read',
      'org:driver:view_assigned_loads',
      'org:driver:update_load_status',
      'org:driver:upload_documents',
      'org:driver:log_hos',
    ],
  },
  { key: 'org:member', name: 'Member', permissions: ['org:sys_memberships:read'] },
];

/** The permission that lets a member manage other members' roles (and sync them from Clerk). */
export const MANAGE_MEMBERS_PERMISSION = 'org:admin:manage_users_and_roles';
