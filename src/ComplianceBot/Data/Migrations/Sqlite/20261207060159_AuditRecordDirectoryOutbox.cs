using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditRecordDirectoryOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChangeMessage");

            migrationBuilder.DropIndex(
                name: "IX_ChangeRequests_CallbackState_CallbackNextAttemptAt",
                table: "ChangeRequests");

            // In place (SQLite 3.35+; none of these columns is indexed): EF's DropColumn rebuilds the table with foreign keys
            // off, outside the migration's transaction, and logs a warning at every fresh start.
            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"AttemptChannel\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"AttemptStartedAt\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"Attempts\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"LastError\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"LeaseOwner\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"LeaseUntil\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"SentChannel\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"SentConversationId\";");

            migrationBuilder.Sql("ALTER TABLE \"Reminders\" DROP COLUMN \"SentMessageId\";");

            migrationBuilder.Sql("ALTER TABLE \"ChangeRequests\" DROP COLUMN \"CallbackAttempts\";");

            migrationBuilder.Sql("ALTER TABLE \"ChangeRequests\" DROP COLUMN \"CallbackNextAttemptAt\";");

            migrationBuilder.Sql("ALTER TABLE \"ChangeRequests\" DROP COLUMN \"CallbackState\";");

            migrationBuilder.AddColumn<string>(
                name: "Department",
                table: "People",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Employment",
                table: "People",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "EndDate",
                table: "People",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "People",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "People",
                type: "TEXT",
                maxLength: 8,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "StartDate",
                table: "People",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UserName",
                table: "People",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DaysLate",
                table: "ControlTasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "ControlTasks",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SuccessorId",
                table: "ControlTasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EvidencedBy",
                table: "Controls",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenamedFrom",
                table: "Controls",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenamedTo",
                table: "Controls",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RetiredAt",
                table: "Controls",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ScheduleStart",
                table: "Controls",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Hint = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Roles = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiKeys_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AuditCheckpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Signature = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ControlVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ControlId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Change = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ImportHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    DefinitionHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlVersions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    RecipientId = table.Column<int>(type: "INTEGER", nullable: true),
                    ChannelName = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    TargetChannel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    TargetConversationId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    TargetThreadId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ReplacesId = table.Column<long>(type: "INTEGER", nullable: true),
                    Url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    Live = table.Column<bool>(type: "INTEGER", nullable: false),
                    AuditDelivery = table.Column<bool>(type: "INTEGER", nullable: false),
                    OrderingKey = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LeaseOwner = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    AttemptStartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AttemptChannel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    PartsSent = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SentChannel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    SentConversationId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SentMessageId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outbox", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Outbox_Outbox_ReplacesId",
                        column: x => x.ReplacesId,
                        principalTable: "Outbox",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Outbox_People_RecipientId",
                        column: x => x.RecipientId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SlackSeenRequests",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SeenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlackSeenRequests", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_People_ExternalId",
                table: "People",
                column: "ExternalId");

            migrationBuilder.CreateIndex(
                name: "IX_People_UserName",
                table: "People",
                column: "UserName");

            migrationBuilder.CreateIndex(
                name: "IX_ControlTasks_PeriodEnd",
                table: "ControlTasks",
                column: "PeriodEnd");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_PersonId",
                table: "ApiKeys",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_Sha256",
                table: "ApiKeys",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditCheckpoints_Sequence",
                table: "AuditCheckpoints",
                column: "Sequence");

            migrationBuilder.CreateIndex(
                name: "IX_ControlVersions_ControlId_Version",
                table: "ControlVersions",
                columns: new[] { "ControlId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Key",
                table: "Outbox",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_OrderingKey_Status",
                table: "Outbox",
                columns: new[] { "OrderingKey", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_RecipientId",
                table: "Outbox",
                column: "RecipientId");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_ReplacesId",
                table: "Outbox",
                column: "ReplacesId");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Status_DueAt",
                table: "Outbox",
                columns: new[] { "Status", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Subject_Live",
                table: "Outbox",
                columns: new[] { "Subject", "Live" });

            migrationBuilder.CreateIndex(
                name: "IX_SlackSeenRequests_SeenAt",
                table: "SlackSeenRequests",
                column: "SeenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "AuditCheckpoints");

            migrationBuilder.DropTable(
                name: "ControlVersions");

            migrationBuilder.DropTable(
                name: "Outbox");

            migrationBuilder.DropTable(
                name: "SlackSeenRequests");

            migrationBuilder.DropIndex(
                name: "IX_People_ExternalId",
                table: "People");

            migrationBuilder.DropIndex(
                name: "IX_People_UserName",
                table: "People");

            migrationBuilder.DropIndex(
                name: "IX_ControlTasks_PeriodEnd",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "Department",
                table: "People");

            migrationBuilder.DropColumn(
                name: "Employment",
                table: "People");

            migrationBuilder.DropColumn(
                name: "EndDate",
                table: "People");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "People");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "People");

            migrationBuilder.DropColumn(
                name: "StartDate",
                table: "People");

            migrationBuilder.DropColumn(
                name: "UserName",
                table: "People");

            migrationBuilder.DropColumn(
                name: "DaysLate",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "SuccessorId",
                table: "ControlTasks");

            migrationBuilder.DropColumn(
                name: "EvidencedBy",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "RenamedFrom",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "RenamedTo",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "RetiredAt",
                table: "Controls");

            migrationBuilder.DropColumn(
                name: "ScheduleStart",
                table: "Controls");

            migrationBuilder.AddColumn<string>(
                name: "AttemptChannel",
                table: "Reminders",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AttemptStartedAt",
                table: "Reminders",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "Reminders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LastError",
                table: "Reminders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "Reminders",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LeaseUntil",
                table: "Reminders",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentChannel",
                table: "Reminders",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentConversationId",
                table: "Reminders",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentMessageId",
                table: "Reminders",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CallbackAttempts",
                table: "ChangeRequests",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "CallbackNextAttemptAt",
                table: "ChangeRequests",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CallbackState",
                table: "ChangeRequests",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "ChangeMessage",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ChangeId = table.Column<int>(type: "INTEGER", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ConversationId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    PersonId = table.Column<int>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeMessage", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ChangeMessage_ChangeRequests_ChangeId",
                        column: x => x.ChangeId,
                        principalTable: "ChangeRequests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRequests_CallbackState_CallbackNextAttemptAt",
                table: "ChangeRequests",
                columns: new[] { "CallbackState", "CallbackNextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeMessage_ChangeId",
                table: "ChangeMessage",
                column: "ChangeId");
        }
    }
}
