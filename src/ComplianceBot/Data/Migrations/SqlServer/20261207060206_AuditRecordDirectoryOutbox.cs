using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.SqlServer
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

            migrationBuilder.DropColumn(
                name: "AttemptChannel",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "AttemptStartedAt",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "LastError",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "LeaseUntil",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "SentChannel",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "SentConversationId",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "SentMessageId",
                table: "Reminders");

            migrationBuilder.DropColumn(
                name: "CallbackAttempts",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "CallbackNextAttemptAt",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "CallbackState",
                table: "ChangeRequests");

            migrationBuilder.AddColumn<string>(
                name: "Department",
                table: "People",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Employment",
                table: "People",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "EndDate",
                table: "People",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "People",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "People",
                type: "nvarchar(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "StartDate",
                table: "People",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UserName",
                table: "People",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DaysLate",
                table: "ControlTasks",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "ControlTasks",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SuccessorId",
                table: "ControlTasks",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EvidencedBy",
                table: "Controls",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenamedFrom",
                table: "Controls",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RenamedTo",
                table: "Controls",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RetiredAt",
                table: "Controls",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ScheduleStart",
                table: "Controls",
                type: "date",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    PersonId = table.Column<int>(type: "int", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Hint = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Sha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Roles = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    CreatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    RevokedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    RevokedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    KeyId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Signature = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ControlVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ControlId = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Actor = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    Change = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    ImportHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Definition = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    DefinitionHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlVersions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Key = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Topic = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    RecipientId = table.Column<int>(type: "int", nullable: true),
                    ChannelName = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    TargetChannel = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    TargetConversationId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    TargetThreadId = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    ReplacesId = table.Column<long>(type: "bigint", nullable: true),
                    Url = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Payload = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    Live = table.Column<bool>(type: "bit", nullable: false),
                    AuditDelivery = table.Column<bool>(type: "bit", nullable: false),
                    OrderingKey = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Status = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    LeaseOwner = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    AttemptStartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    AttemptChannel = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    PartsSent = table.Column<int>(type: "int", nullable: false),
                    LastError = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    SentAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    SentChannel = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    SentConversationId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    SentMessageId = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true)
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
                    Key = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    SeenAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
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
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AttemptStartedAt",
                table: "Reminders",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "Reminders",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LastError",
                table: "Reminders",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "Reminders",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LeaseUntil",
                table: "Reminders",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentChannel",
                table: "Reminders",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentConversationId",
                table: "Reminders",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SentMessageId",
                table: "Reminders",
                type: "nvarchar(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CallbackAttempts",
                table: "ChangeRequests",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CallbackNextAttemptAt",
                table: "ChangeRequests",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CallbackState",
                table: "ChangeRequests",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "ChangeMessage",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ChangeId = table.Column<int>(type: "int", nullable: false),
                    Channel = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    ConversationId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    MessageId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    PersonId = table.Column<int>(type: "int", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
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
