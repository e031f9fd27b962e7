// The texts the record sends to patients and representatives, in French like the service. They
// name no document, author or health detail: mail and SMS are not the place for them.

export interface MessageText {
  subject: string;
  body: string;
}

export function loginCodeText(code: string, minutes: number, channel: 'email' | 'sms'): MessageText {
  if (channel === 'sms') return { subject: '', body: `DMP : votre code de connexion est ${code}. Valable ${minutes} minutes, une seule fois.` };
  return {
    subject: 'Votre code de connexion au DMP',
    body:
      `Votre code de connexion à votre dossier médical partagé : ${code}\n\n` +
      `Ce code est valable ${minutes} minutes et ne sert qu'une fois. Ne le communiquez à personne.\n` +
      `Si vous n'êtes pas à l'origine de cette connexion, changez votre mot de passe.`,
  };
}

export function documentAlertText(count: number): MessageText {
  return {
    subject: 'Nouveau document dans votre DMP',
    body:
      (count === 1 ? 'Un nouveau document a été ajouté' : `${count} nouveaux documents ont été ajoutés`) +
      ' à votre dossier médical partagé.\nConnectez-vous à votre DMP pour le consulter.\n\n' +
      "Vous recevez ce message parce qu'une adresse d'alerte est enregistrée dans votre DMP ; vous pouvez la modifier dans vos paramètres.",
  };
}

export function contactChangedText(): MessageText {
  return {
    subject: 'Vos coordonnées de connexion au DMP ont changé',
    body:
      "L'adresse électronique ou le numéro de téléphone qui reçoit vos codes de connexion au DMP vient d'être modifié.\n" +
      "Si vous n'êtes pas à l'origine de ce changement, contactez le service d'assistance du DMP.",
  };
}

export function credentialsResetText(): MessageText {
  return {
    subject: 'Nouveaux identifiants de connexion au DMP',
    body:
      "Le service d'assistance du DMP vient de vous attribuer un nouveau mot de passe provisoire, à la suite d'une demande.\n" +
      "Si vous n'êtes pas à l'origine de cette demande, contactez le service d'assistance du DMP.",
  };
}

export function passwordChangedText(): MessageText {
  return {
    subject: 'Votre mot de passe DMP a été modifié',
    body: "Le mot de passe de votre compte DMP vient d'être modifié. Si vous n'êtes pas à l'origine de ce changement, contactez le service d'assistance du DMP.",
  };
}

/** PAT-07: to the support service. Names the request and the record, not the person's health. */
export function copyRequestText(requestId: string, patientKey: string, delivery: string, parts: string[]): MessageText {
  return {
    subject: `Demande de copie du DMP ${requestId}`,
    body:
      `Une demande formelle de copie du DMP a été déposée en ligne.\n\n` +
      `Demande : ${requestId}\nDossier : ${patientKey}\nRemise : ${delivery === 'postal' ? 'par courrier' : 'par courrier électronique'}\n` +
      `Parties demandées : ${parts.join(', ')}\n\n` +
      "Le motif et l'adresse de remise sont enregistrés avec la demande.",
  };
}

/** How a patient who comes of age gets credentials of their own (MIN-03, AUTH-04, DMP-03). */
const OWN_CREDENTIALS =
  "À sa majorité, le titulaire du dossier y accède avec ses propres identifiants : il les demande au service d'assistance du DMP " +
  "(formulaire « identifiants perdus » du site, avec son nom, sa date de naissance et son numéro de sécurité sociale), " +
  "qui lui remet son identifiant et un mot de passe provisoire.";

export function majorityNoticeText(majorityDay: string): MessageText {
  return {
    subject: 'Fin prochaine de votre accès au DMP',
    body: `Votre accès en tant que représentant légal prendra fin le ${majorityDay}, à la majorité du titulaire du dossier.\n\n${OWN_CREDENTIALS}`,
  };
}

export function representativeEndedText(cause: 'majority' | 'ended'): MessageText {
  return {
    subject: 'Fin de votre accès au DMP',
    body:
      (cause === 'majority'
        ? 'Le titulaire du dossier est majeur : votre accès en tant que représentant légal a pris fin.'
        : 'Votre accès en tant que représentant légal à ce dossier médical partagé a pris fin.') +
      (cause === 'majority' ? `\n\n${OWN_CREDENTIALS}` : ''),
  };
}

/**
 * DMP-02: the creation code, by e-mail or in the letter the support service posts. It says what
 * to type with it (the card's data) and until when; it names no health detail.
 */
export function creationCodeText(code: string, validUntil: string): MessageText {
  return {
    subject: 'Votre code de création du DMP',
    body:
      `Votre code de création de dossier médical partagé (DMP) : ${code}\n\n` +
      'Pour créer votre DMP en ligne, saisissez ce code avec les données de votre carte Vitale ' +
      '(numéro de sécurité sociale, nom, prénom, date de naissance).\n' +
      `Ce code est valable jusqu'au ${validUntil} et ne sert qu'une fois. Ne le communiquez à personne.\n` +
      "Si vous n'avez pas demandé ce code, contactez le service d'assistance du DMP (DMP Info Service).",
  };
}
