/**
 * Cohorts as their facilitators and admins change them. A facilitator sees and changes only the
 * cohorts they facilitate (others answer 404); admins all of them. Learners have none of this.
 */
import { SickbayError } from '@/lib/errors';
import { normalizeEmail } from '@/lib/auth/accounts';
import type { Principal } from '@/lib/auth/roles';
import type { AuthService } from '../auth/auth';
import type { Cohort, CohortRole } from '../auth/cohorts';

function requireFacilitator(principal: Principal): void {
  if (principal.user.role !== 'admin' && principal.user.role !== 'facilitator') throw new SickbayError('forbidden', 'only facilitators and admins have cohorts');
}

export class CohortAdmin {
  constructor(
    private readonly auth: AuthService,
    private readonly principal: Principal,
  ) {
    requireFacilitator(principal);
  }

  private get admin(): boolean {
    return this.principal.user.role === 'admin';
  }

  list(): Cohort[] {
    return this.auth.cohorts.list(this.admin ? null : this.principal.user.id);
  }

  /** A cohort this user may manage; 404 for any other. */
  get(id: string): Cohort {
    const cohort = this.auth.cohorts.require(id);
    if (!this.admin && !this.auth.cohorts.isFacilitator(id, this.principal.user.id)) throw new SickbayError('not_found', `no cohort ${JSON.stringify(id.slice(0, 40))}`);
    return cohort;
  }

  create(name: string): Cohort {
    const cohort = this.auth.cohorts.create(name, this.principal.user.id);
    this.auth.audit.record(this.principal.user.id, 'cohort.create', cohort.id, name);
    return cohort;
  }

  remove(id: string): void {
    this.get(id);
    this.auth.cohorts.remove(id);
    this.auth.audit.record(this.principal.user.id, 'cohort.delete', id);
  }

  /** Adds someone by e-mail (their account must exist: invite them first). */
  addMember(id: string, email: string, role: CohortRole): Cohort {
    this.get(id);
    const user = this.auth.users.byEmail(normalizeEmail(email));
    if (!user || user.disabled) throw new SickbayError('not_found', `no account for ${email.slice(0, 80)}: an admin invites people first`);
    if (role === 'facilitator' && user.role === 'learner') throw new SickbayError('conflict', `${user.email} is a learner: an admin makes them a facilitator first`);
    this.auth.cohorts.setMember(id, user.id, role);
    this.auth.audit.record(this.principal.user.id, 'cohort.add', id, `${user.email} as ${role}`);
    return this.get(id);
  }

  removeMember(id: string, userId: string): Cohort {
    this.get(id);
    this.auth.cohorts.removeMember(id, userId);
    this.auth.audit.record(this.principal.user.id, 'cohort.remove', id, userId);
    return this.get(id);
  }
}
