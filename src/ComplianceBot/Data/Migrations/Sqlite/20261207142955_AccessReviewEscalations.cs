using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ComplianceBot.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccessReviewEscalations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccessReviewEscalations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReviewId = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<long>(type: "INTEGER", nullable: false),
                    AskedById = table.Column<int>(type: "INTEGER", nullable: false),
                    AskedOfId = table.Column<int>(type: "INTEGER", nullable: false),
                    Question = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    AskedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Recommendation = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviewEscalations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviewEscalations_AccessReviewItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "AccessReviewItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviewEscalations_AccessReviews_ReviewId",
                        column: x => x.ReviewId,
                        principalTable: "AccessReviews",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewEscalations_People_AskedById",
                        column: x => x.AskedById,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviewEscalations_People_AskedOfId",
                        column: x => x.AskedOfId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEscalations_AskedById",
                table: "AccessReviewEscalations",
                column: "AskedById");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEscalations_AskedOfId_AnsweredAt",
                table: "AccessReviewEscalations",
                columns: new[] { "AskedOfId", "AnsweredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEscalations_ItemId",
                table: "AccessReviewEscalations",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEscalations_ReviewId",
                table: "AccessReviewEscalations",
                column: "ReviewId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccessReviewEscalations");
        }
    }
}
