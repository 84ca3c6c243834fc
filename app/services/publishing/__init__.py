"""Publishing to the public: published views and open data, "you said, we did" responses, and the
emails of the outbox."""
