"""guidance and feedback: competencies, feedback, reflections, sign-offs, agreements

Revision ID: a12000000001
Revises: d011eba9ae27
Create Date: 2026-12-01 14:41:44.537680

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12000000001'
down_revision = 'd011eba9ae27'
branch_labels = None
depends_on = None

# The default competency framework, written out here (not imported) so this migration
# means the same thing forever: (code, title, description, specialty slug or None).
FRAMEWORK = [
    ('GEN-SAFE', 'Medication safety and error prevention',
     'Spots look-alike and sound-alike names, uses double checks, reports near misses and errors without blame.',
     None),
    ('GEN-COMM', 'Communication with patients and the team',
     'Speaks clearly and kindly, checks understanding, knows when to hand a question to the pharmacist.',
     None),
    ('GEN-LAW', 'Pharmacy law and regulation',
     'Follows the rules for controlled substances, privacy and record keeping that apply at the site.',
     None),
    ('GEN-DOC', 'Documentation and records',
     "Records what was done, when and by whom, accurately and on time, in the site's system.",
     None),
    ('GEN-INV', 'Everyday stock handling',
     'Receives, stores and rotates stock, checks expiry dates and the cold chain.',
     None),
    ('SC-ASEP', 'Aseptic technique',
     'Prepares sterile doses in the hood without touching critical sites, with first-air kept clear.',
     'sterile-compounding'),
    ('SC-GARB', 'Garbing and hand hygiene',
     'Puts on gown, gloves, mask and cover in the right order and washes hands as the cleanroom requires.',
     'sterile-compounding'),
    ('SC-CLEAN', 'Cleaning the compounding area',
     'Cleans and disinfects hoods and rooms on schedule, with the right agents, and logs it.',
     'sterile-compounding'),
    ('NSC-CALC', 'Compounding calculations',
     'Works out quantities, dilutions and beyond-use dates and has them checked.',
     'nonsterile-compounding'),
    ('NSC-PREP', 'Preparing non-sterile products',
     'Weighs, measures and mixes creams, suspensions and capsules following the master formula.',
     'nonsterile-compounding'),
    ('HD-CSTD', 'Closed-system transfer devices',
     'Uses closed-system devices to move hazardous drugs without leaks or spray.',
     'hazardous-drugs'),
    ('HD-SPILL', 'Hazardous drug spills and waste',
     'Knows where the spill kit is, cleans a spill safely and disposes of waste in the right bin.',
     'hazardous-drugs'),
    ('HD-PPE', 'Protective equipment for hazardous drugs',
     'Chooses and wears double gloves and gowns rated for hazardous drugs, and removes them safely.',
     'hazardous-drugs'),
    ('ONC-CHECK', 'Checking chemotherapy orders',
     'Gathers height, weight and lab values the pharmacist needs to verify a dose.',
     'oncology'),
    ('ONC-LABEL', 'Labeling and handling oncology doses',
     'Labels, bags and transports chemotherapy so that nobody is exposed.',
     'oncology'),
    ('MTM-LIST', 'Building a medication list',
     'Collects every medicine, supplement and dose a patient takes before a review.',
     'mtm'),
    ('MTM-FOLLOW', 'Follow-up after a medication review',
     'Schedules follow-ups, sends the action plan and notes the outcome.',
     'mtm'),
    ('GER-AIDS', 'Adherence aids for older adults',
     'Prepares blister packs and pill organizers and explains them simply.',
     'geriatrics'),
    ('GER-RISK', 'Spotting medicines risky for older adults',
     'Flags duplicate therapy and medicines known to cause falls or confusion for the pharmacist.',
     'geriatrics'),
    ('NUC-SHIELD', 'Radiation safety and shielding',
     'Uses time, distance and shielding; wears and reads the dosimeter.',
     'nuclear'),
    ('NUC-DOSE', 'Preparing radiopharmaceutical doses',
     'Draws up and assays doses, records activity and calibration time.',
     'nuclear'),
    ('INF-SYS', 'Pharmacy systems and automation',
     'Works with dispensing cabinets and the pharmacy system, and reports faults.',
     'informatics'),
    ('INF-DATA', 'Keeping drug data right',
     'Checks formulary entries, barcodes and product data for errors before they reach a patient.',
     'informatics'),
    ('MR-HIST', 'Taking a medication history',
     'Asks the patient and checks other sources to get a complete, accurate history.',
     'med-rec'),
    ('MR-DISC', 'Finding discrepancies',
     'Compares lists at admission, transfer and discharge and reports every difference.',
     'med-rec'),
    ('INV-ORDER', 'Ordering and receiving',
     'Places orders against par levels, receives them and resolves mismatches.',
     'inventory'),
    ('INV-SHORT', 'Managing shortages and recalls',
     'Finds recalled lots, pulls them, and helps find alternatives during shortages.',
     'inventory'),
    ('IMM-PREP', 'Preparing and storing vaccines',
     'Keeps vaccines in range, prepares the right dose and records lot and expiry.',
     'immunizations'),
    ('IMM-ADMIN', 'Giving an immunization',
     'Screens the patient, gives the injection with the right technique and watches for reactions.',
     'immunizations'),
    ('BIL-CLAIM', 'Processing claims',
     'Submits claims, reads rejections and fixes what can be fixed.',
     'billing'),
    ('BIL-PA', 'Prior authorizations',
     'Gathers what the payer needs for a prior authorization and tracks it to a decision.',
     'billing'),
]


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('specialty_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['specialty_id'], ['specialties.id'], name=op.f('fk_competencies_specialty_id_specialties'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competencies')),
    sa.UniqueConstraint('code', name=op.f('uq_competencies_code'))
    )
    with op.batch_alter_table('competencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competencies_specialty_id'), ['specialty_id'], unique=False)

    op.create_table('task_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('task_key', sa.String(length=60), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_reminders')),
    sa.UniqueConstraint('user_id', 'task_key', 'day', name=op.f('uq_task_reminders_user_id'))
    )
    op.create_table('mentorship_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes BETWEEN 1 AND 600', name=op.f('ck_mentorship_checkins_minutes_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_mentorship_checkins_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentorship_checkins_mentorship_id_mentorships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_checkins'))
    )
    with op.batch_alter_table('mentorship_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_checkins_mentorship_id'), ['mentorship_id'], unique=False)

    op.create_table('mentorship_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('midpoint', 'final')", name=op.f('ck_mentorship_evaluations_stage_known')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_mentorship_evaluations_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentorship_evaluations_mentorship_id_mentorships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_evaluations')),
    sa.UniqueConstraint('mentorship_id', 'stage', 'author_id', name=op.f('uq_mentorship_evaluations_mentorship_id'))
    )
    with op.batch_alter_table('mentorship_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_evaluations_mentorship_id'), ['mentorship_id'], unique=False)

    op.create_table('mentorship_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'met', 'dropped')", name=op.f('ck_mentorship_goals_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mentorship_goals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentorship_goals_mentorship_id_mentorships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_goals'))
    )
    with op.batch_alter_table('mentorship_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_goals_mentorship_id'), ['mentorship_id'], unique=False)

    op.create_table('reflections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('learned', sa.Text(), nullable=False),
    sa.Column('apply', sa.Text(), nullable=False),
    sa.Column('session_rating', sa.Integer(), nullable=False),
    sa.Column('comment_to_coordinator', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('session_rating BETWEEN 1 AND 5', name=op.f('ck_reflections_rating_range')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_reflections_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_reflections_mentee_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_reflections_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflections')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_reflections_booking_id'))
    )
    with op.batch_alter_table('reflections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflections_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reflections_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('shift_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_shift_feedback_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_shift_feedback_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_shift_feedback_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_feedback')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_shift_feedback_booking_id'))
    )
    with op.batch_alter_table('shift_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_feedback_author_id'), ['author_id'], unique=False)

    op.create_table('competency_ratings',
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 4', name=op.f('ck_competency_ratings_level_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_competency_ratings_competency_id_competencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['shift_feedback.id'], name=op.f('fk_competency_ratings_feedback_id_shift_feedback'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('feedback_id', 'competency_id', name=op.f('pk_competency_ratings'))
    )
    with op.batch_alter_table('competency_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_ratings_competency_id'), ['competency_id'], unique=False)

    op.create_table('signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_signoffs_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_signoffs_competency_id_competencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['shift_feedback.id'], name=op.f('fk_signoffs_feedback_id_shift_feedback'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_signoffs_mentee_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_signoffs_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_signoffs_signed_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoffs'))
    )
    with op.batch_alter_table('signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signoffs_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index('uq_signoffs_live', ['mentee_id', 'competency_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('signoff_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signoff_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('signed_off', 'revoked')", name=op.f('ck_signoff_events_action_known')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_signoff_events_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_signoff_events_competency_id_competencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_signoff_events_mentee_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signoff_id'], ['signoffs.id'], name=op.f('fk_signoff_events_signoff_id_signoffs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoff_events'))
    )
    with op.batch_alter_table('signoff_events', schema=None) as batch_op:
        batch_op.create_index('ix_signoff_events_mentee_at', ['mentee_id', 'at'], unique=False)

    # ### end Alembic commands ###

    _seed_framework()


def _seed_framework():
    specialties = sa.table("specialties", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    competencies = sa.table(
        "competencies",
        sa.column("code", sa.String),
        sa.column("title", sa.String),
        sa.column("description", sa.Text),
        sa.column("specialty_id", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    ids = {slug: id_ for id_, slug in bind.execute(sa.select(specialties.c.id, specialties.c.slug))}
    # A fixed time, so stepping down and up again gives back exactly the same rows.
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC, as the models do
    op.bulk_insert(
        competencies,
        [
            {
                "code": code,
                "title": title,
                "description": description,
                "specialty_id": ids.get(slug) if slug else None,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for code, title, description, slug in FRAMEWORK
        ],
    )


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('signoff_events', schema=None) as batch_op:
        batch_op.drop_index('ix_signoff_events_mentee_at')

    op.drop_table('signoff_events')
    with op.batch_alter_table('signoffs', schema=None) as batch_op:
        batch_op.drop_index('uq_signoffs_live', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_signoffs_mentee_id'))

    op.drop_table('signoffs')
    with op.batch_alter_table('competency_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_ratings_competency_id'))

    op.drop_table('competency_ratings')
    with op.batch_alter_table('shift_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_feedback_author_id'))

    op.drop_table('shift_feedback')
    with op.batch_alter_table('reflections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflections_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_reflections_mentee_id'))

    op.drop_table('reflections')
    with op.batch_alter_table('mentorship_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_goals_mentorship_id'))

    op.drop_table('mentorship_goals')
    with op.batch_alter_table('mentorship_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_evaluations_mentorship_id'))

    op.drop_table('mentorship_evaluations')
    with op.batch_alter_table('mentorship_checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_checkins_mentorship_id'))

    op.drop_table('mentorship_checkins')
    op.drop_table('task_reminders')
    with op.batch_alter_table('competencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competencies_specialty_id'))

    op.drop_table('competencies')
    # ### end Alembic commands ###
