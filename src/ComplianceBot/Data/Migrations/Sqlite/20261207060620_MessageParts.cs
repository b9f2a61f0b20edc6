using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MessageParts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MessagePart",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Channel = table.Column<int>(type: "INTEGER", nullable: false),
                    ConversationId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    HeadId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    PartId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessagePart", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MessagePart_Channel_ConversationId_HeadId_Index",
                table: "MessagePart",
                columns: new[] { "Channel", "ConversationId", "HeadId", "Index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MessagePart_Channel_ConversationId_PartId",
                table: "MessagePart",
                columns: new[] { "Channel", "ConversationId", "PartId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MessagePart");
        }
    }
}
