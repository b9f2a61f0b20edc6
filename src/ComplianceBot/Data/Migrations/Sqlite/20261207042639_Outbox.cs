using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Outbox : Migration
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
            // off, which cannot run inside the migration's transaction.
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Outbox");

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
